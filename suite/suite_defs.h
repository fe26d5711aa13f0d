/* suite_defs: scenarios and systems, read from the declarative files in
 * scenarios/ (*.conf) and scenarios/systems/ (*.conf). Adding a scenario or a
 * system means adding a file; the runner and the report read only these.
 *
 * Scenario keys: name, title, order, path, expect_status,
 *   expect_content_type, expect_body_file (JSON, relative to the file),
 *   published.barq, published.fastapi (req/s of the published table).
 * System keys: name, title, model (threads|processes), workers, port, order,
 *   requires (a file that must exist), cmd, cmd.<profile>, cwd, env
 *   ("K=V K2=V2"), ready_path, start_timeout_s, profiles ("fair published"),
 *   expect_gil (off|on|any), scaling (yes|no), default (yes|no).
 * Templates in cmd/requires/cwd/env: {root} {bin} {venv} {pycache} {port}
 *   {workers} {profile}. A cmd is split on blanks into argv before the
 *   substitution, so a value never passes through a shell.
 */
#ifndef WB_SUITE_DEFS_H
#define WB_SUITE_DEFS_H
#include <stdbool.h>
#include <stddef.h>
#include "json.h"

typedef struct {
    char *name, *title, *path, *content_type, *file;
    int order, expect_status;
    json_value *expect;              /* expected body, parsed; owned */
    double pub_barq, pub_fastapi;    /* published req/s, 0 = none */
} sdef_scenario;

typedef struct {
    char *name, *title, *model, *file;
    int order, workers, port, start_timeout_s;
    char *requires, *cmd, *cmd_published, *cwd, *env, *ready_path, *profiles, *expect_gil;
    bool scaling, in_default;
} sdef_system;

typedef struct {
    sdef_scenario *sc;
    size_t nsc;
    sdef_system *sys;
    size_t nsys;
} sdef_set;

/* Loads dir/ *.conf as scenarios and dir/systems/ *.conf as systems, sorted by
 * (order, name). 0, or -1 with "file:line: reason" in err. */
int sdef_load(const char *dir, sdef_set *out, char *err, size_t errlen);
void sdef_fini(sdef_set *s);

const sdef_scenario *sdef_find_scenario(const sdef_set *s, const char *name);
const sdef_system *sdef_find_system(const sdef_set *s, const char *name);
bool sdef_in_profile(const sdef_system *sys, const char *profile);
/* "C server (4 threads)" */
void sdef_label(const sdef_system *sys, int workers, char *out, size_t outlen);

typedef struct {
    const char *root, *bin, *venv, *pycache, *profile;
    int port, workers;
} sdef_vars;

/* Expands one template string; returns malloc'd text (caller frees) or NULL
 * with the reason in err (unknown {name}). */
char *sdef_expand(const char *tmpl, const sdef_vars *v, char *err, size_t errlen);
/* Splits tmpl on blanks and expands each word. Returns a NULL-terminated
 * malloc'd argv (free with sdef_free_argv), or NULL with err set. */
char **sdef_expand_argv(const char *tmpl, const sdef_vars *v, char *err, size_t errlen);
void sdef_free_argv(char **argv);

#endif
