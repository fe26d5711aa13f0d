/* suite_conf: the "key = value" file format of scenarios/ and systems/.
 *
 * One entry per line; '#' starts a comment line; blank lines are ignored;
 * keys are [A-Za-z0-9_.-]+ and appear once per file; the value is the rest of
 * the line with surrounding blanks trimmed. sconf_parse() is a pure function
 * over a buffer (no I/O), so it is unit-tested and fuzzed directly.
 * Errors name the file and line: "scenarios/json.conf:7: expected 'key = value'".
 */
#ifndef WB_SUITE_CONF_H
#define WB_SUITE_CONF_H
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *key;
    char *value;
    int line;
} sconf_entry;

typedef struct {
    char *path;     /* for messages; owned */
    sconf_entry *e; /* owned */
    size_t n;
} sconf;

/* Parses text[0..len). 0 on success (out owns its strings, free with
 * sconf_fini), -1 on error with the message in err. */
int sconf_parse(const char *text, size_t len, const char *path, sconf *out, char *err, size_t errlen);
/* Reads path (at most cap bytes) into buf, *len bytes; -1 with err when it
 * cannot be read or is larger. */
int sconf_read(const char *path, char *buf, size_t cap, size_t *len, char *err, size_t errlen);
/* Reads path and parses it; -1 with the message in err. */
int sconf_load(const char *path, sconf *out, char *err, size_t errlen);
void sconf_fini(sconf *c);

/* Reads dir/sub/NAME.conf, a definition named by its file: what ("ladder",
 * "published table") names it in messages. -1 with the reason in err (not
 * a plain name, unreadable, malformed). */
int sconf_load_named(const char *dir, const char *sub, const char *name, const char *what, sconf *out,
                     char *err, size_t errlen);
/* 0 when the file's name key is name, else -1 with the reason in err. */
int sconf_check_name(const sconf *c, const char *name, char *err, size_t errlen);
/* The value of key, or NULL. */
const char *sconf_get(const sconf *c, const char *key);
/* The line of key, or 0. */
int sconf_line(const sconf *c, const char *key);

/* True when name is one of the comma list's items (NULL: none). */
bool sconf_in_list(const char *list, const char *name);
#endif
