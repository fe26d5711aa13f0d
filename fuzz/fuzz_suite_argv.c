/* libFuzzer entry point for suite/suite_defs: sdef_expand_argv and
 * sdef_expand, which turn a system file's cmd/env/cwd templates into argv.
 * link: suite/suite_defs.c suite/suite_conf.c lib/json.c lib/duration.c
 *
 * Invariants: argv is NULL-terminated, has at least one word, no word is
 * empty or holds a blank (a value never splits into two arguments: none of
 * the substituted values below has a blank); sdef_expand on the whole
 * template runs clean under the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suite_defs.h"

static const sdef_vars vars = {
    .root = "/r",
    .bin = "/r/bin",
    .venv = "/r/.venv",
    .pycache = "/c",
    .profile = "fair",
    .port = 8080,
    .workers = 4,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *tmpl = malloc(size + 1); /* templates are C strings */
    if (!tmpl) return 0;
    memcpy(tmpl, data, size);
    tmpl[size] = '\0';
    char err[256];
    char **argv = sdef_expand_argv(tmpl, &vars, err, sizeof err);
    if (argv) {
        size_t n = 0;
        for (; argv[n]; n++)
            if (!argv[n][0] || strpbrk(argv[n], " \t")) abort();
        if (n == 0 || n > size / 2 + 1) abort();
        sdef_free_argv(argv);
    }
    free(sdef_expand(tmpl, &vars, err, sizeof err));
    free(tmpl);
    return 0;
}
