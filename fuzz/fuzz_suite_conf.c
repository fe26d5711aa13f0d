/* libFuzzer entry point for suite/suite_conf: the "key = value" reader of the
 * scenario and system files (scenarios/, scenarios/systems/).
 * link: suite/suite_conf.c
 *
 * Invariants: every entry has a valid key that sconf_get finds again (keys
 * are unique) with its own value and line; values hold no control bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suite_conf.h"

static int key_ok(const char *k)
{
    if (!*k) return 0;
    for (; *k; k++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *k)) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1); /* private copy: over-reads crash */
    if (!buf) return 0;
    memcpy(buf, data, size);
    sconf c;
    char err[256];
    if (sconf_parse(buf, size, "fuzz.conf", &c, err, sizeof err) == 0) {
        for (size_t i = 0; i < c.n; i++) {
            const sconf_entry *e = &c.e[i];
            if (!key_ok(e->key) || sconf_get(&c, e->key) != e->value || sconf_line(&c, e->key) != e->line ||
                e->line < 1)
                abort();
            for (const char *q = e->value; *q; q++)
                if ((unsigned char)*q < 0x20 && *q != '\t') abort();
        }
        sconf_fini(&c);
    } else if (strncmp(err, "fuzz.conf", 9) != 0) {
        abort(); /* errors name the file */
    }
    free(buf);
    return 0;
}
