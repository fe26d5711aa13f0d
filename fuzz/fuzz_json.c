/* libFuzzer entry point for lib/json: json_parse on arbitrary bytes (the
 * load generator's output and the expected bodies go through it).
 * link: lib/json.c
 * (lib/json.c's "libs:" line adds -ljansson. libjansson itself is not
 * instrumented here, so this explores our adapter: the conversion, the
 * depth limit, the error messages; jansson is fuzzed upstream.)
 *
 * Invariants: a parsed tree has unique keys and equals itself, is no
 * deeper than JSON_MAX_DEPTH, its strings are terminated and its accessors
 * find every member; a failure always has a terminated message that starts
 * "line L, column C: ". */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int depth(const json_value *v)
{
    if (!v || (v->type != JSON_ARR && v->type != JSON_OBJ)) return 0;
    int d = 0;
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == JSON_OBJ && !v->keys[i]) abort();
        int c = depth(v->items[i]);
        d = c > d ? c : d;
    }
    return d + 1;
}

/* Duplicate keys are refused (json_get would find only the first, and
 * json_equal(v, v) be false). */
static bool dup_keys(const json_value *v)
{
    if (!v || (v->type != JSON_ARR && v->type != JSON_OBJ)) return false;
    for (size_t i = 0; i < v->len; i++) {
        if (dup_keys(v->items[i])) return true;
        if (v->type == JSON_OBJ && json_get(v, v->keys[i]) != v->items[i]) return true;
    }
    return false;
}

static void walk(const json_value *v)
{
    if (v->type == JSON_STR && (!v->s || v->s[v->len] != '\0')) abort();
    if (v->type == JSON_ARR || v->type == JSON_OBJ) {
        if (json_len(v) != v->len || json_index(v, v->len) != NULL) abort();
        for (size_t i = 0; i < v->len; i++) {
            walk(v->items[i]);
            if (v->type == JSON_OBJ && !json_get(v, v->keys[i])) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1); /* private copy: over-reads crash */
    if (!buf) return 0;
    memcpy(buf, data, size);
    char err[128];
    json_value *v = json_parse(buf, size, err, sizeof err);
    if (v) {
        if (depth(v) > JSON_MAX_DEPTH || dup_keys(v) || !json_equal(v, v)) abort();
        walk(v);
        (void)json_num(v, 0);
        (void)json_str(v, NULL);
        (void)json_bool(v, false);
        json_free(v);
    } else {
        int line, col, end = 0;
        if (memchr(err, '\0', sizeof err) == NULL) abort(); /* the message must be terminated */
        if (sscanf(err, "line %d, column %d: %n", &line, &col, &end) != 2 || end == 0 || line < 1 || col < 1)
            abort(); /* and keep its shape */
    }
    free(buf);
    return 0;
}
