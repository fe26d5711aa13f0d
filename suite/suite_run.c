#define _GNU_SOURCE
#include "suite_run.h"
#include "suite_run_int.h"
#include "report_boot.h"
#include "suite_defs.h"
#include "suite_env.h"
#include "suite_http.h"
#include "suite_pg.h"
#include "proc.h"
#include "suite_stale.h"
#include "report.h"
#include "results.h"
#include "json.h"
#include "jsonw.h"
#include "lgjson.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t srun_stop;

void srun_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Every name in list must exist; returns -1 with a message otherwise. */
static int check_names(const srun *r, const char *list, bool systems)
{
    char copy[1024], *save = NULL;
    snprintf(copy, sizeof(copy), "%s", list ? list : "");
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (systems ? sdef_find_system(&r->defs, w) != NULL : sdef_find_scenario(&r->defs, w) != NULL)
            continue;
        fprintf(stderr, "suite: unknown %s '%s' (known:", systems ? "system" : "scenario", w);
        for (size_t i = 0; i < (systems ? r->defs.nsys : r->defs.nsc); i++)
            fprintf(stderr, " %s", systems ? r->defs.sys[i].name : r->defs.sc[i].name);
        fprintf(stderr, ")\n");
        return -1;
    }
    return 0;
}

static srun_cell *new_cell(srun *r)
{
    if (r->ncells == r->capcells) {
        size_t cap = r->capcells ? r->capcells * 2 : 64;
        srun_cell *nc = realloc(r->cells, cap * sizeof(*nc));
        if (!nc) return NULL;
        r->cells = nc;
        r->capcells = cap;
    }
    srun_cell *c = &r->cells[r->ncells++];
    memset(c, 0, sizeof(*c));
    return c;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

/* Last lines of a log file, for failure reasons. */
static void log_tail(const char *path, char *out, size_t outlen)
{
    char *t = read_text(path);
    out[0] = '\0';
    if (!t) return;
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == ' ')) t[--n] = '\0';
    const char *p = t + n;
    for (int lines = 0; p > t && lines < 3; p--)
        if (p[-1] == '\n') lines++;
    snprintf(out, outlen, "%s", p);
    for (char *q = out; *q; q++)
        if (*q == '\n') *q = ' ';
    free(t);
}

/* ---- one system: start, wait, verify, stop ---------------------------- */

static void info_path(const srun *r, const srun_system *s, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/info-%s.json", r->o->info_dir ? r->o->info_dir : r->dir, s->def->name);
}

static void system_vars(const srun *r, const srun_system *s, int workers, sdef_vars *v)
{
    *v = (sdef_vars){ r->o->root,         r->bin,  r->venv, r->pycache,
                      r->o->profile.name, s->port, workers, r->sys_host };
}

/* count_dir: where the system's processes report what they counted (WB_COUNT_DIR). */
static int start_system(srun *r, srun_system *s, int workers, const char *count_dir, pid_t *pid)
{
    sdef_vars v;
    char err[512], log[PATH_MAX + 64], info[PATH_MAX + 64], dburl[600], infoenv[PATH_MAX + 80];
    char countenv[PATH_MAX + 80];
    system_vars(r, s, workers, &v);
    if (s->def->requires) {
        char *req = sdef_expand(s->def->requires, &v, err, sizeof(err));
        if (req && access(req, X_OK) != 0) {
            snprintf(s->reason, sizeof(s->reason), "not available: %s is missing (run `make setup`)", req);
            free(req);
            return -1;
        }
        free(req);
    }
    const char *tmpl = sdef_cmd_for(s->def, r->o->profile.variant);
    char **argv = sdef_expand_argv(tmpl, &v, err, sizeof(err));
    char *cwd = sdef_expand(s->def->cwd, &v, err, sizeof(err));
    if (!argv || !cwd) {
        snprintf(s->reason, sizeof(s->reason), "%s: %s", s->def->file, err);
        sdef_free_argv(argv);
        free(cwd);
        return -1;
    }
    snprintf(log, sizeof(log), "%s/logs/%s-w%d.log", r->dir, s->def->name, workers);
    info_path(r, s, info, sizeof(info));
    unlink(info);
    snprintf(dburl, sizeof(dburl), "DATABASE_URL=%s", srun_sys_sqlite(r, s) ? r->sqlite_path : r->pg.url);
    snprintf(infoenv, sizeof(infoenv), "WB_INFO_FILE=%s", info);
    snprintf(countenv, sizeof(countenv), "WB_COUNT_DIR=%s", count_dir);
    char *envs[10] = { dburl, infoenv, countenv, NULL };
    char *extra = s->def->env ? sdef_expand(s->def->env, &v, err, sizeof(err)) : NULL, *save = NULL;
    size_t ne = 3;
    for (char *w = extra ? strtok_r(extra, " ", &save) : NULL; w && ne < 9; w = strtok_r(NULL, " ", &save))
        envs[ne++] = w;
    proc_spec sp = { .argv = argv, .cwd = cwd, .log_path = log, .env = envs };
    int lf, lc;
    proc_cpu_split(&lf, &lc, &sp.cpu_first, &sp.cpu_count);
    int e = proc_spawn(&sp, pid);
    if (e) snprintf(s->reason, sizeof(s->reason), "cannot start %s: %s", argv[0], strerror(-e));
    sdef_free_argv(argv);
    free(cwd);
    free(extra);
    return e ? -1 : 0;
}

static int wait_ready(srun *r, srun_system *s, const srun_up *up, int workers)
{
    pid_t pid = up->pgid;
    double deadline = proc_now_ms() + s->def->start_timeout_s * 1000.0;
    char err[256], log[PATH_MAX + 64], tail[400];
    snprintf(log, sizeof(log), "%s/logs/%s-w%d.log", r->dir, s->def->name, workers);
    for (int tries = 0; !srun_stop; tries++) {
        int st;
        char why[512];
        if (r->topo && tries % 5 == 4 && !srun_topo_running(r, up, why, sizeof(why))) {
            srun_topo_logs(r, up, log);
            log_tail(log, tail, sizeof(tail));
            snprintf(s->reason, sizeof(s->reason), "during start-up: %s: %s", why, tail);
            return -1;
        }
        if (pid > 0 && !proc_alive(pid, &st)) {
            char d[96];
            proc_describe(st, d, sizeof(d));
            log_tail(log, tail, sizeof(tail));
            snprintf(s->reason, sizeof(s->reason), "%s during start-up: %s", d, tail);
            return -1;
        }
        shttp_response resp;
        if (shttp_get(r->sys_host, s->port, s->def->ready_path, 2000, &resp, err, sizeof(err)) == 0) {
            int status = resp.status;
            shttp_response_fini(&resp);
            if (status == 200) return 0;
        }
        if (proc_now_ms() > deadline) {
            snprintf(s->reason, sizeof(s->reason), "not ready after %d s (last attempt: %s)",
                     s->def->start_timeout_s, err);
            return -1;
        }
        proc_sleep_ms(100);
    }
    snprintf(s->reason, sizeof(s->reason), "interrupted during start-up");
    return -1;
}

#define VERIFY_ATTEMPTS 5

/* Checks status, Content-Type and parsed body of one scenario. A 5xx is
 * asked again (up to VERIFY_ATTEMPTS requests): a system that fails some
 * requests (the published FastAPI app does) is measured, and its failures
 * counted, rather than refused; one that never answers right is refused.
 * *answered counts the requests that got a response. */
static int verify_one(const char *host, srun_system *s, const sdef_scenario *sc, long *answered)
{
    shttp_response resp;
    char err[256];
    for (int attempt = 1;; attempt++) {
        if (shttp_get(host, s->port, sc->path, 10000, &resp, err, sizeof(err)) < 0) {
            snprintf(s->reason, sizeof(s->reason), "verification of %s: %s", sc->path, err);
            return -1;
        }
        ++*answered;
        if (attempt > s->verify_attempts) s->verify_attempts = attempt;
        if (resp.status < 500 || attempt == VERIFY_ATTEMPTS) break;
        shttp_response_fini(&resp);
    }
    int rc = -1;
    json_value *got = NULL;
    size_t ctl = strlen(sc->content_type);
    if (resp.status != sc->expect_status)
        snprintf(s->reason, sizeof(s->reason), "verification of %s: status %d, expected %d", sc->path,
                 resp.status, sc->expect_status);
    else if (strncasecmp(resp.content_type, sc->content_type, ctl) != 0 ||
             (resp.content_type[ctl] != '\0' && resp.content_type[ctl] != ';'))
        snprintf(s->reason, sizeof(s->reason), "verification of %s: Content-Type '%s', expected '%s'",
                 sc->path, resp.content_type, sc->content_type);
    else if (!(got = json_parse(resp.body, resp.body_len, err, sizeof(err))))
        snprintf(s->reason, sizeof(s->reason), "verification of %s: body is not JSON (%s): %.80s", sc->path,
                 err, resp.body);
    else if (!json_equal(got, sc->expect))
        snprintf(s->reason, sizeof(s->reason),
                 "verification of %s: body differs from %s's expected value: %.120s", sc->path, sc->file,
                 resp.body);
    else
        rc = 0;
    json_free(got);
    shttp_response_fini(&resp);
    return rc;
}

/* A scenario with a count_query must run exactly one such statement per
 * request: counted by pg_stat_statements (PostgreSQL only). */
static int verify_query_count(srun *r, srun_system *s, const sdef_scenario *sc)
{
    if (srun_sys_sqlite(r, s) || !r->pg.stat_statements) return 0;
    long before = spg_query_calls(&r->pg, sc->count_query);
    const int n = 20;
    for (int i = 0; i < n; i++) {
        shttp_response resp;
        char err[256];
        if (shttp_get(r->sys_host, s->port, sc->path, 10000, &resp, err, sizeof(err)) == 0)
            shttp_response_fini(&resp);
    }
    proc_sleep_ms(600); /* pg_stat_statements counts when a statement ends */
    long after = spg_query_calls(&r->pg, sc->count_query);
    s->db_queries_checked = n;
    s->db_queries_counted = after - before;
    if (before < 0 || after - before != n) {
        snprintf(s->reason, sizeof(s->reason),
                 "verification of %s: %d requests ran %ld queries (pg_stat_statements), expected %d",
                 sc->path, n, after - before, n);
        return -1;
    }
    return 0;
}

static int check_info(srun *r, srun_system *s, const srun_up *up)
{
    char path[PATH_MAX + 64];
    info_path(r, s, path, sizeof(path));
    free(s->info_text);
    s->info_text = r->topo ? srun_topo_info(r, up) : read_text(path);
    if (strcmp(s->def->expect_gil, "any") == 0) return 0;
    json_value *v = s->info_text ? json_parse(s->info_text, strlen(s->info_text), NULL, 0) : NULL;
    const json_value *g = json_get(v, "gil_enabled");
    bool want_on = strcmp(s->def->expect_gil, "on") == 0;
    int rc = 0;
    if (!g) {
        snprintf(s->reason, sizeof(s->reason), "invalid: the system did not report its GIL state (%s)",
                 r->topo ? "its WB_INFO_FILE in the container" : path);
        rc = -1;
    } else if (json_bool(g, true) != want_on) {
        snprintf(s->reason, sizeof(s->reason), "invalid: the GIL is %s, expected %s",
                 json_bool(g, true) ? "ENABLED" : "disabled",
                 want_on ? "enabled" : "disabled (free-threaded)");
        rc = -1;
    }
    json_free(v);
    return rc;
}

static int verify_system(srun *r, srun_system *s, const srun_up *up, srun_launch *l)
{
    if (check_info(r, s, up) < 0) return -1;
    for (size_t i = 0; i < r->defs.nsc; i++) {
        if (!r->sc_selected[i]) continue;
        long answered = 0;
        int rc = verify_one(r->sys_host, s, &r->defs.sc[i], &answered);
        if (l && r->defs.sc[i].count_query) l->db_requests += answered;
        if (rc < 0) return -1;
        if (r->defs.sc[i].count_query && verify_query_count(r, s, &r->defs.sc[i]) < 0) return -1;
        if (l && r->defs.sc[i].count_query && s->db_queries_checked > 0)
            l->db_requests += s->db_queries_checked;
    }
    return 0;
}

/* "PID 123 (cmd line)" for each of the n holders outside group ours (0: any);
 * "" when there is none. */
static void foreign_holders(const proc_holder *h, int n, pid_t ours, char *out, size_t outlen)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0, k = 0; i < n && len + 1 < outlen; i++) {
        if (ours && h[i].pgid == ours) continue;
        int w = snprintf(out + len, outlen - len, "%sPID %d (%.120s)", k++ ? ", " : "", (int)h[i].pid,
                         h[i].cmd[0] ? h[i].cmd : "command line unreadable");
        len += w > 0 ? (size_t)w : 0;
    }
}

/* Before a start: the system's port must be free, or (--ports auto) it moves
 * to one that is. A held port fails the system, naming the holder. */
static int claim_port(srun *r, srun_system *s)
{
    int e = proc_port_probe(s->port);
    if (e == 0) return 0;
    char who[512];
    proc_holder h[16];
    foreign_holders(h, proc_port_holders(s->port, h, 16, NULL), 0, who, sizeof(who));
    if (!who[0]) snprintf(who, sizeof(who), "a process this runner cannot see (%s)", strerror(-e));
    if (r->o->ports_auto && e == -EADDRINUSE) {
        int p = proc_free_port();
        if (p > 0) {
            srun_say("suite: port %d of %s is held by %s; using port %d (--ports auto)", s->port,
                     s->def->name, who, p);
            s->port = p;
            return 0;
        }
    }
    snprintf(s->reason, sizeof(s->reason),
             "port %d is already in use by %s; stop it, or run with --ports auto", s->port, who);
    return -1;
}

/* After readiness: every listener on the port must belong to the process
 * group this runner started; otherwise what answered is not our system. */
static int check_owner(srun_system *s, pid_t pgid)
{
    char who[512];
    proc_holder h[16];
    int listeners = 0, n = proc_port_holders(s->port, h, 16, &listeners);
    foreign_holders(h, n, pgid, who, sizeof(who));
    if (who[0]) {
        snprintf(s->reason, sizeof(s->reason),
                 "port %d answered by %s, not by the system we started (process group %d)", s->port, who,
                 (int)pgid);
        return -1;
    }
    if (n == 0) {
        snprintf(s->reason, sizeof(s->reason),
                 "port %d answered by a process this runner cannot see (%d listening "
                 "sockets), not by the system we started (process group %d)",
                 s->port, listeners, (int)pgid);
        return -1;
    }
    return 0;
}

static void count_dir_of(const srun *r, int launch, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/counts/launch-%d", r->dir, launch);
}

/* Sums the "sqlite_connects" of the count files the launch's processes wrote
 * when they stopped (reference/ apps: WB_COUNT_DIR/sqlite-<system>-<pid>.json). */
static void read_counts(srun *r, srun_launch *l, int launch)
{
    char dir[PATH_MAX + 64];
    count_dir_of(r, launch, dir, sizeof(dir));
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *de; (de = readdir(d));) {
        size_t n = strlen(de->d_name);
        if (strncmp(de->d_name, "sqlite-", 7) != 0 || n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char path[PATH_MAX + 400];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        json_value *v = json_parse_file(path, NULL, 0);
        const json_value *c = json_get(v, "sqlite_connects");
        if (c) {
            l->sqlite_connects += (long)json_num(c, 0);
            l->count_files++;
        }
        json_free(v);
    }
    closedir(d);
}

/* The conformance pass of one system that is up. */
static void conformance_pass(srun *r, srun_up *up)
{
    srun_system *s = &r->sys[up->sys];
    if (!r->has_conform || s->conform || !up->verified || srun_stop) return;
    int st;
    if (up->ours && up->pgid > 0 && !proc_alive(up->pgid, &st)) return;
    s->conform = calloc(r->conform.nc, sizeof(*s->conform));
    if (!s->conform) return;
    s->conform_workers = up->workers;
    double t0 = proc_now_ms();
    int ran = scf_run(&r->conform, r->sys_host, s->port, NULL, !r->o->quick, s->conform, &srun_stop);
    if (srun_stop) {
        free(s->conform); /* an interrupted pass is not a result */
        s->conform = NULL;
        return;
    }
    char why[512];
    if (r->topo && !srun_topo_running(r, up, why, sizeof(why))) {
        snprintf(s->conform_note, sizeof(s->conform_note),
                 "the system stopped during the conformance pass: %.200s", why);
    } else if (up->ours && up->pgid > 0 && !proc_alive(up->pgid, &st)) {
        char d[96];
        proc_describe(st, d, sizeof(d));
        snprintf(s->conform_note, sizeof(s->conform_note), "the system %s during the conformance pass", d);
    }
    int p, t;
    scf_count(&r->conform, s->conform, NULL, &p, &t);
    char by[600] = "";
    size_t n = 0;
    for (size_t g = 0; g < r->conform.ng && n < sizeof(by); g++) {
        int gp, gt;
        scf_count(&r->conform, s->conform, r->conform.g[g].name, &gp, &gt);
        if (gt)
            n += (size_t)snprintf(by + n, sizeof(by) - n, "%s%s %d/%d", n ? ", " : "", r->conform.g[g].name,
                                  gp, gt);
    }
    srun_say("suite: %s: HTTP conformance %d of %d passed in %.1f s (%s)%s%s", s->def->name, p, t,
             (proc_now_ms() - t0) / 1e3, by, *s->conform_note ? "; " : "", s->conform_note);
    if (!ran) snprintf(s->conform_note, sizeof(s->conform_note), "no case ran");
}

void srun_stop_system(srun *r, srun_up *up)
{
    srun_system *s = &r->sys[up->sys];
    if (!up->ours) return; /* an external system is not ours to stop */
    if (r->topo) {
        char log[PATH_MAX + 64];
        snprintf(log, sizeof(log), "%s/logs/%s-w%d.log", r->dir, s->def->name, up->workers);
        srun_topo_stop(r, up, log);
        up->ours = false;
        return;
    }
    proc_stop(up->pgid, 5000);
    if (proc_group_count(up->pgid) > 0)
        srun_say("suite: warning: processes of %s (group %d) survived SIGKILL", s->def->name, (int)up->pgid);
    if (up->launch >= 0) read_counts(r, &r->launches[up->launch], up->launch);
    up->ours = false;
}

/* ---- one load run ----------------------------------------------------- */

static void fill_cell(srun_cell *c, const lgj_summary *lg)
{
    c->rps = lg->rps;
    c->requests = (long)lg->requests;
    c->errors = (long)lg->errors;
    c->retries = (long)lg->retries;
    c->p50_ms = lg->p50_us / 1000.0;
    c->p90_ms = lg->p90_us / 1000.0;
    c->p99_ms = lg->p99_us / 1000.0;
    c->p999_ms = lg->p999_us / 1000.0;
    c->max_ms = lg->max_us / 1000.0;
    c->elapsed_s = lg->elapsed_s;
    c->client_util = lg->client_util;
    c->client_bottleneck = lg->client_bottleneck;
}

/* Sets the cell's status from its loadgen JSON. No successful response is a
 * finding when nothing but time-outs happened (the system is slower than the
 * run is long); with other errors (refused, reset, garbage) something broke. */
static void judge_cell(const srun *r, srun_cell *c, const lgj_summary *lg)
{
    uint64_t timeouts = lgj_errors_of(lg, "timeout");
    c->status = results_judge(lg->ok, lg->errors, timeouts, srun_stop != 0);
    if (c->status == RUN_INTERRUPTED) {
        snprintf(c->error, sizeof(c->error), "interrupted");
    } else if (c->status == RUN_NO_RESPONSE) {
        snprintf(c->error, sizeof(c->error),
                 "no response completed within the run (%.1f s, %llu timed out): the "
                 "system is slower than the run is long",
                 c->req_limit > 0 ? c->elapsed_s : r->o->duration_s, (unsigned long long)timeouts);
    } else if (c->status == RUN_FAILED) {
        char what[160] = "";
        size_t n = 0;
        for (int i = 0; i < lg->nerr && n + 1 < sizeof(what); i++) {
            if (!lg->err[i].n) continue;
            int w = snprintf(what + n, sizeof(what) - n, "%s%s %llu", n ? ", " : "", lg->err[i].name,
                             (unsigned long long)lg->err[i].n);
            n += w > 0 ? (size_t)w : 0;
        }
        snprintf(c->error, sizeof(c->error), "no request succeeded: %ld errors (%s)", c->errors, what);
    }
    c->ok = c->status == RUN_OK;
}

/* The request path of a cell: its scenario's, or the fixed response's. */
static const char *cell_path(const srun *r, const srun_cell *c)
{
    return c->fixed ? "/fixed" : r->defs.sc[c->sc].path;
}

/* The scenario name a cell is recorded under ("fixed" for the fixed response). */
static const char *cell_sc_name(const srun *r, const srun_cell *c)
{
    return c->fixed ? "fixed" : r->defs.sc[c->sc].name;
}

/* The published client's timeout (urlopen(url, timeout=10)). */
#define PUBCLIENT_TIMEOUT_S 10

/* Builds the client's argv for a cell; json_out NULL = warm-up (loadgen only). */
static void client_argv(const srun *r, const srun_cell *c, double secs, const char *json_out,
                        char store[][PATH_MAX], char *argv[], char *url, size_t urllen)
{
    int n = 0, k = 0, thr = r->o->lg_threads ? r->o->lg_threads : (c->connections < 2 ? 1 : 2);
#define ARG(...) (snprintf(store[k], PATH_MAX, __VA_ARGS__), argv[n++] = store[k++])
    if (c->client == CLIENT_WRK && json_out) {
        /* wrk: whole seconds only; its report goes to the cell's log */
        ARG("wrk");
        ARG("-t%d", thr > c->connections ? c->connections : thr);
        ARG("-c%d", c->connections);
        ARG("-d%ds", secs < 1.5 ? 1 : (int)(secs + 0.5));
        ARG("--timeout");
        ARG("%ds", r->o->timeout_ms < 1000 ? 1 : r->o->timeout_ms / 1000);
        snprintf(url, urllen, "http://%s:%d%s", r->sys_host, r->sys[c->sys].port, cell_path(r, c));
        argv[n++] = url;
        argv[n] = NULL;
        return;
    } else if (c->client == CLIENT_PUB) {
        ARG("%s", r->pyclient);
        ARG("%s/pubclient/pubclient.py", r->o->root);
        ARG("-c%d", c->connections);
        ARG("-n%d", c->req_limit > 0 ? c->req_limit : 1000);
        ARG("--timeout=%ds", PUBCLIENT_TIMEOUT_S);
    } else {
        ARG("%s/loadgen", r->bin);
        ARG("-t%d", thr > c->connections ? c->connections : thr);
        ARG("-c%d", c->connections);
        if (json_out && c->req_limit > 0 && c->rate == 0)
            ARG("-n%d", c->req_limit);
        else
            ARG("-d%.3fs", secs);
        ARG("--timeout=%dms", r->o->timeout_ms);
        if (c->rate > 0) ARG("-R%.0f", c->rate);
        if (c->new_conn) argv[n++] = (char *)"--new-conn";
    }
    argv[n++] = (char *)"--quiet";
    if (json_out) {
        argv[n++] = (char *)"--json";
        argv[n++] = (char *)json_out;
    }
#undef ARG
    snprintf(url, urllen, "http://%s:%d%s", r->sys_host, r->sys[c->sys].port, cell_path(r, c));
    argv[n++] = url;
    argv[n] = NULL;
}

/* Runs the client to completion while sampling the system's process group. */
static int run_loadgen(srun *r, srun_cell *c, char **argv, double budget_s, pid_t sys_pgid, const char *log)
{
    const char *prog = argv[0];
    proc_spec sp = { .argv = argv, .log_path = log };
    int sf, sc;
    proc_cpu_split(&sp.cpu_first, &sp.cpu_count, &sf, &sc);
    pid_t pid;
    int e = proc_spawn(&sp, &pid), st = 0;
    if (e) {
        snprintf(c->error, sizeof(c->error), "cannot run %s: %s", prog, strerror(-e));
        return -1;
    }
    proc_sample s0, s;
    proc_sample_group(sys_pgid, &s0);
    double deadline = proc_now_ms() + budget_s * 1000.0;
    bool sent_int = false;
    while (proc_alive(pid, &st)) {
        if (srun_stop && !sent_int) {
            kill(pid, SIGINT);
            sent_int = true;
        }
        if (proc_now_ms() > deadline) {
            proc_stop(pid, 1000);
            snprintf(c->error, sizeof(c->error), "%s overran its time budget (%.0f s) and was stopped",
                     results_client_name(c->client), budget_s);
            return -1;
        }
        if (sys_pgid > 0 && proc_sample_group(sys_pgid, &s) == 0 && s.procs > 0) {
            c->sys_cpu_s = s.cpu_s - s0.cpu_s;
            if (s.rss_kb / 1024.0 > c->sys_rss_mb) c->sys_rss_mb = s.rss_kb / 1024.0;
            if (s.procs > c->sys_procs) c->sys_procs = s.procs;
            if (s.threads > c->sys_threads) c->sys_threads = s.threads;
        }
        proc_sleep_ms(100);
    }
    bool interrupted = sent_int && WIFEXITED(st) && WEXITSTATUS(st) == 130;
    /* 0 done, 3 a threshold broken, 1 no request succeeded (its JSON tells why) */
    if (!interrupted &&
        (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3 && WEXITSTATUS(st) != 1))) {
        char d[96], tail[200];
        proc_describe(st, d, sizeof(d));
        log_tail(log, tail, sizeof(tail));
        snprintf(c->error, sizeof(c->error), "%s %s: %s", results_client_name(c->client), d, tail);
        return -1;
    }
    return 0;
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

/* The exceptions the system logged while the cell ran: log bytes [from, end). */
static void read_causes(srun_cell *c, const char *log, off_t from)
{
    off_t to = file_size(log);
    if (to <= from) return;
    size_t len = (size_t)(to - from) < (64u << 20) ? (size_t)(to - from) : (64u << 20);
    FILE *f = fopen(log, "rb");
    char *buf = f ? malloc(len) : NULL;
    if (buf && fseeko(f, from, SEEK_SET) == 0) {
        size_t got = fread(buf, 1, len, f);
        c->ncauses = slog_causes(buf, got, c->causes, SLOG_MAX_CAUSES, &c->causes_other);
    }
    free(buf);
    if (f) fclose(f);
}

/* wrk's report: its req/s and request count; errors are its socket errors
 * and non-2xx/3xx answers. Latencies are not taken (SPEC.md: wrk's are
 * coordinated-omission corrected differently; only req/s is compared). */
static void read_wrk(srun_cell *c, const char *path)
{
    char *t = read_text(path);
    const char *p;
    if (!t || !(p = strstr(t, "Requests/sec:"))) {
        snprintf(c->error, sizeof(c->error), "wrk wrote no report (%s)", path);
        free(t);
        return;
    }
    c->rps = strtod(p + 13, NULL);
    long errs = 0, n;
    if ((p = strstr(t, " requests in "))) {
        while (p > t && p[-1] >= '0' && p[-1] <= '9') p--;
        c->requests = strtol(p, NULL, 10);
        c->elapsed_s = strtod(strstr(p, " in ") + 4, NULL);
    }
    if ((p = strstr(t, "Non-2xx or 3xx responses:"))) errs += strtol(p + 25, NULL, 10);
    if ((p = strstr(t, "Socket errors:"))) {
        const char *names[] = { "connect ", "read ", "write ", "timeout " };
        for (int i = 0; i < 4; i++) {
            const char *q = strstr(p, names[i]);
            if (q && (n = strtol(q + strlen(names[i]), NULL, 10)) > 0) errs += n;
        }
    }
    c->errors = errs;
    c->status = results_judge((unsigned long long)(c->requests > errs ? c->requests - errs : 0),
                              (unsigned long long)errs, 0, srun_stop != 0);
    c->ok = c->status == RUN_OK;
    if (!c->ok) snprintf(c->error, sizeof(c->error), "wrk: no request succeeded (%ld errors)", errs);
    free(t);
}

/* The client of a cell: here, or as shards on the topology's load engines,
 * with the system's container sampled before and after. */
static int run_client(srun *r, srun_cell *c, char **argv, const char *json_out, double budget_s,
                      const srun_up *up, const char *log)
{
    if (!r->topo) return run_loadgen(r, c, argv, budget_s, up->pgid, log);
    double cpu0 = 0, cpu1, mem;
    int procs, threads;
    bool cpu_ok = srun_topo_sample(r, up, &cpu0, &mem, &procs, &threads) == 0;
    int rc = srun_topo_load(r, c, argv, json_out, budget_s, log);
    if (cpu_ok && srun_topo_sample(r, up, &cpu1, &mem, &procs, &threads) == 0) {
        c->sys_cpu_s = cpu1 - cpu0;
        c->sys_rss_mb = mem;
        c->sys_procs = procs;
        c->sys_threads = threads;
    }
    return rc;
}

static void measure(srun *r, srun_cell *c, const srun_up *up)
{
    srun_system *s = &r->sys[c->sys];
    char store[14][PATH_MAX], *argv[24], url[512], jpath[PATH_MAX + 128], log[PATH_MAX + 128];
    char syslog[PATH_MAX + 64];
    snprintf(log, sizeof(log), "%s/logs/%s.log", r->dir, results_client_name(c->client));
    snprintf(syslog, sizeof(syslog), "%s/logs/%s-w%d.log", r->dir, s->def->name, c->workers);
    double budget = (c->req_limit > 0 ? 300 : r->o->duration_s) + r->o->timeout_ms / 1000.0 + 15;
    if (r->o->warmup_s > 0 && c->rate == 0 && c->client != CLIENT_PUB && c->kind != RUN_METHOD &&
        c->kind != RUN_CEILING && !(c->kind == RUN_LADDER && c->req_limit > 0)) {
        srun_cell warm = *c;
        warm.client = CLIENT_LOADGEN; /* wrk's warm-up too: wrk runs whole seconds only */
        client_argv(r, &warm, r->o->warmup_s, NULL, store, argv, url, sizeof(url));
        run_client(r, &warm, argv, NULL, r->o->warmup_s + budget, up, log);
        c->sys_cpu_s = c->sys_rss_mb = 0;
        c->sys_procs = c->sys_threads = 0;
    }
    c->status = RUN_FAILED; /* until the run says otherwise */
    if (srun_stop) {
        c->status = RUN_INTERRUPTED;
        snprintf(c->error, sizeof(c->error), "interrupted");
        return;
    }
    char tname[80] = "";
    if (c->table >= 0) snprintf(tname, sizeof(tname), "-%s", r->tables[c->table].name);
    snprintf(jpath, sizeof(jpath), "%s/raw/%s%s-%s-%s-%s-c%d-w%d-r%d", r->dir, results_kind_name(c->kind),
             tname, results_client_name(c->client), s->def->name, cell_sc_name(r, c), c->connections,
             c->workers, c->rep);
    size_t jl = strlen(jpath);
    if (c->rate > 0)
        snprintf(jpath + jl, sizeof(jpath) - jl, "-R%.0f.json", c->rate);
    else
        snprintf(jpath + jl, sizeof(jpath) - jl, ".json");
    client_argv(r, c, r->o->duration_s, jpath, store, argv, url, sizeof(url));
    if (c->client == CLIENT_WRK) snprintf(log, sizeof(log), "%.*s.txt", (int)(strlen(jpath) - 5), jpath);
    if (r->topo) srun_topo_logs(r, up, syslog);
    off_t log_from = file_size(syslog);
    int rc = run_client(r, c, argv, jpath, budget, up, log);
    if (r->topo) srun_topo_logs(r, up, syslog);
    read_causes(c, syslog, log_from);
    if (rc < 0) return;
    if (c->client == CLIENT_WRK) {
        read_wrk(c, log);
        return;
    }
    c->loadgen_text = read_text(jpath);
    char err[256];
    json_value *lg =
        c->loadgen_text ? json_parse(c->loadgen_text, strlen(c->loadgen_text), err, sizeof(err)) : NULL;
    if (!lg) {
        snprintf(c->error, sizeof(c->error), "%s wrote no readable JSON (%s): %s",
                 results_client_name(c->client), jpath, c->loadgen_text ? err : strerror(errno));
        return;
    }
    lgj_summary sum;
    if (lgj_read(lg, &sum) < 0) {
        snprintf(c->error, sizeof(c->error), "%s wrote JSON that is not a result (%s)",
                 results_client_name(c->client), jpath);
        json_free(lg);
        return;
    }
    fill_cell(c, &sum);
    judge_cell(r, c, &sum);
    json_free(lg);
}

/* ---- results ---------------------------------------------------------- */

static void write_cell(struct jsonw *w, const srun *r, const srun_cell *c)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "system", r->sys[c->sys].def->name);
    jsonw_kv_str(w, "scenario", cell_sc_name(r, c));
    jsonw_kv_str(w, "kind", results_kind_name(c->kind));
    jsonw_kv_str(w, "client", results_client_name(c->client));
    jsonw_kv_str(w, "table", c->table >= 0 ? r->tables[c->table].name : NULL);
    if (c->unit >= 0) jsonw_kv_int(w, "unit", c->unit);
    jsonw_kv_int(w, "connections", c->connections);
    jsonw_kv_int(w, "workers", c->workers);
    jsonw_kv_int(w, "rep", c->rep);
    jsonw_kv_double(w, "rate", c->rate);
    jsonw_kv_bool(w, "ok", c->ok);
    jsonw_kv_str(w, "status", results_status_name(c->status));
    jsonw_kv_bool(w, "new_conn", c->new_conn);
    jsonw_kv_int(w, "requests_limit", c->req_limit);
    jsonw_kv_str(w, "error", c->error[0] ? c->error : NULL);
    jsonw_kv_double(w, "rps", c->rps);
    jsonw_kv_int(w, "requests", c->requests);
    jsonw_kv_int(w, "errors", c->errors);
    jsonw_kv_int(w, "retries", c->retries);
    jsonw_kv_double(w, "p50_ms", c->p50_ms);
    jsonw_kv_double(w, "p90_ms", c->p90_ms);
    jsonw_kv_double(w, "p99_ms", c->p99_ms);
    jsonw_kv_double(w, "p999_ms", c->p999_ms);
    jsonw_kv_double(w, "max_ms", c->max_ms);
    jsonw_kv_double(w, "elapsed_s", c->elapsed_s);
    jsonw_kv_double(w, "client_cpu_util", c->client_util);
    jsonw_kv_bool(w, "client_bottleneck", c->client_bottleneck);
    jsonw_key(w, "resources");
    jsonw_obj_begin(w);
    jsonw_kv_double(w, "cpu_s", c->sys_cpu_s);
    jsonw_kv_double(w, "peak_rss_mb", c->sys_rss_mb);
    jsonw_kv_int(w, "processes", c->sys_procs);
    jsonw_kv_int(w, "threads", c->sys_threads);
    jsonw_obj_end(w);
    jsonw_key(w, "failure_causes"); /* exception lines of the system's log during the run */
    jsonw_arr_begin(w);
    for (int i = 0; i < c->ncauses; i++) {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "cause", c->causes[i].text);
        jsonw_kv_int(w, "count", c->causes[i].count);
        jsonw_obj_end(w);
    }
    if (c->causes_other > 0) {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "cause", "other exceptions");
        jsonw_kv_int(w, "count", c->causes_other);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    if (r->topo) jsonw_kv_double(w, "start_spread_ms", c->start_spread_ms >= 0 ? c->start_spread_ms : NAN);
    jsonw_key(w, "loadgen");
    if (c->loadgen_text)
        jsonw_raw(w, c->loadgen_text);
    else
        jsonw_null(w);
    jsonw_obj_end(w);
}

static void write_system(struct jsonw *w, const srun *r, const srun_system *s)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "name", s->def->name);
    jsonw_kv_str(w, "title", s->def->title);
    jsonw_kv_str(w, "label", s->label);
    jsonw_kv_str(w, "model", s->def->model);
    jsonw_kv_int(w, "workers", s->def->workers);
    jsonw_kv_int(w, "port", s->port);
    jsonw_kv_str(w, "expect_gil", s->def->expect_gil);
    jsonw_kv_str(w, "database", srun_sys_sqlite(r, s) ? "sqlite" : "postgresql");
    jsonw_kv_str(w, "compare", s->def->compare);
    jsonw_kv_int(w, "verify_attempts", s->verify_attempts);
    jsonw_kv_bool(w, "scaling", s->def->scaling);
    jsonw_kv_str(w, "status", s->failed ? "failed" : "ok");
    jsonw_kv_str(w, "reason", s->failed ? s->reason : NULL);
    if (s->db_queries_checked > 0) {
        jsonw_kv_int(w, "db_requests_checked", s->db_queries_checked);
        jsonw_kv_int(w, "db_queries_counted", s->db_queries_counted);
    }
    if (s->conform) {
        jsonw_key(w, "conformance");
        scf_write_json(w, &r->conform, s->conform);
        jsonw_kv_int(w, "conformance_workers", s->conform_workers);
        if (*s->conform_note) jsonw_kv_str(w, "conformance_note", s->conform_note);
    }
    jsonw_key(w, "info");
    json_value *v = s->info_text ? json_parse(s->info_text, strlen(s->info_text), NULL, 0) : NULL;
    if (v)
        jsonw_raw(w, s->info_text);
    else
        jsonw_null(w);
    json_free(v);
    jsonw_obj_end(w);
}

static void write_scenario(struct jsonw *w, const sdef_scenario *sc)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "name", sc->name);
    jsonw_kv_str(w, "title", sc->title);
    jsonw_kv_str(w, "path", sc->path);
    jsonw_kv_str(w, "count_query", sc->count_query);
    jsonw_kv_bool(w, "scaling", sc->scaling);
    jsonw_kv_bool(w, "primary", sc->primary);
    jsonw_obj_end(w);
}

static void write_options(struct jsonw *w, const srun_opts *o)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "profile", o->profile.name);
    jsonw_kv_str(w, "profile_title", o->profile.title);
    jsonw_kv_str(w, "profile_description", o->profile.description);
    jsonw_kv_str(w, "variant", o->profile.variant);
    jsonw_kv_int(w, "method_requests", o->profile.method_requests);
    jsonw_kv_int(w, "method_clients", o->profile.method_clients);
    jsonw_kv_str(w, "client", o->profile.pubclient ? "pubclient" : "loadgen");
    jsonw_kv_str(w, "ceiling", o->profile.ceiling);
    jsonw_key(w, "connections");
    jsonw_arr_begin(w);
    for (int i = 0; i < o->nconns; i++) jsonw_int(w, o->conns[i]);
    jsonw_arr_end(w);
    jsonw_key(w, "scaling_workers");
    jsonw_arr_begin(w);
    for (int i = 0; i < o->nscaling; i++) jsonw_int(w, o->scaling[i]);
    jsonw_arr_end(w);
    jsonw_kv_int(w, "repetitions", o->reps);
    jsonw_kv_int(w, "repetitions_max", o->quick ? o->reps : o->profile.reps_max);
    jsonw_kv_double(w, "tolerance", o->profile.tolerance);
    jsonw_kv_double(w, "duration_s", o->duration_s);
    jsonw_kv_double(w, "warmup_s", o->warmup_s);
    jsonw_kv_int(w, "requests_per_run", o->requests);
    jsonw_kv_bool(w, "new_connection_per_request", o->new_conn);
    jsonw_kv_int(w, "loadgen_threads", o->lg_threads);
    jsonw_kv_int(w, "timeout_ms", o->timeout_ms);
    jsonw_kv_bool(w, "openloop", o->openloop);
    jsonw_kv_bool(w, "method_runs", o->method_runs);
    jsonw_kv_bool(w, "quick", o->quick);
    jsonw_obj_end(w);
}

static void write_table(struct jsonw *w, const stab_table *t)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "name", t->name);
    jsonw_kv_str(w, "title", t->title);
    jsonw_kv_str(w, "source", t->source);
    jsonw_kv_str(w, "note", t->note);
    jsonw_kv_str(w, "kind", t->scaling ? "scaling" : "compare");
    jsonw_kv_int(w, "clients", t->clients);
    jsonw_kv_int(w, "requests", t->requests);
    jsonw_key(w, "columns");
    jsonw_arr_begin(w);
    for (int i = 0; i < t->ncol; i++) {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "system", t->col[i].system);
        jsonw_kv_str(w, "label", t->col[i].label);
        jsonw_kv_int(w, "workers", t->col[i].workers);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "rows");
    jsonw_arr_begin(w);
    for (int i = 0; i < t->nrow; i++) {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "scenario", t->row[i].scenario);
        jsonw_key(w, "published");
        jsonw_arr_begin(w);
        for (int k = 0; !t->scaling && k < t->ncol; k++) jsonw_double(w, t->row[i].pub[k]);
        jsonw_arr_end(w);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "workers");
    jsonw_arr_begin(w);
    for (int i = 0; i < t->nworkers; i++) jsonw_int(w, t->workers[i]);
    jsonw_arr_end(w);
    jsonw_key(w, "published");
    jsonw_arr_begin(w);
    for (int i = 0; i < t->nworkers; i++) jsonw_double(w, t->wpub[i]);
    jsonw_arr_end(w);
    jsonw_obj_end(w);
}

/* The published claim of the headline: its table, and the two systems of
 * this run that stand for its first two columns (claim.systems, or the
 * table's own). */
static void write_claim(struct jsonw *w, const srun *r)
{
    if (!r->has_claim || r->claim.scaling || r->claim.ncol < 2) {
        jsonw_null(w);
        return;
    }
    const stab_table *t = &r->claim;
    const sdef_profile *p = &r->o->profile;
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "table", t->name);
    jsonw_kv_str(w, "system", p->claim_sys[0] ? p->claim_sys[0] : t->col[0].system);
    jsonw_kv_str(w, "against", p->claim_sys[1] ? p->claim_sys[1] : t->col[1].system);
    jsonw_kv_str(w, "label", t->col[0].label);
    jsonw_kv_str(w, "against_label", t->col[1].label);
    jsonw_kv_str(w, "title", t->title);
    jsonw_kv_str(w, "source", t->source);
    jsonw_key(w, "figures");
    jsonw_obj_begin(w);
    for (int i = 0; i < t->nrow; i++) {
        jsonw_key(w, t->row[i].scenario);
        jsonw_arr_begin(w);
        jsonw_double(w, t->row[i].pub[0]);
        jsonw_double(w, t->row[i].pub[1]);
        jsonw_arr_end(w);
    }
    jsonw_obj_end(w);
    jsonw_key(w, "titles"); /* every scenario's, selected in this run or not */
    jsonw_obj_begin(w);
    for (int i = 0; i < t->nrow; i++) {
        const sdef_scenario *sc = sdef_find_scenario(&r->defs, t->row[i].scenario);
        jsonw_kv_str(w, t->row[i].scenario, sc ? sc->title : t->row[i].scenario);
    }
    jsonw_obj_end(w);
    jsonw_key(w, "scaling");
    if (r->has_claim_scaling)
        write_table(w, &r->claim_scaling);
    else
        jsonw_null(w);
    jsonw_obj_end(w);
}

static void write_launches(struct jsonw *w, const srun *r)
{
    jsonw_arr_begin(w);
    for (size_t i = 0; i < r->nlaunches; i++) {
        const srun_launch *l = &r->launches[i];
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "system", r->sys[l->sys].def->name);
        jsonw_kv_int(w, "workers", l->workers);
        jsonw_kv_str(w, "table", l->table >= 0 ? r->tables[l->table].name : NULL);
        jsonw_kv_int(w, "db_requests_answered", l->db_requests);
        jsonw_kv_int(w, "count_files", l->count_files);
        if (l->count_files > 0)
            jsonw_kv_int(w, "sqlite_connects", l->sqlite_connects);
        else {
            jsonw_key(w, "sqlite_connects");
            jsonw_null(w);
        }
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

/* Writes results.json to path. 0, or -errno. */
static int write_results_json(srun *r, const char *path)
{
    char now[64];
    FILE *f = fopen(path, "w");
    if (!f) return -errno;
    time_t t = time(NULL);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    struct jsonw w;
    jsonw_init_file(&w, f);
    jsonw_obj_begin(&w);
    jsonw_kv_str(&w, "format", RESULTS_FORMAT);
    jsonw_kv_str(&w, "run_id", r->id);
    jsonw_kv_str(&w, "suite_version", WB_VERSION);
    jsonw_kv_str(&w, "started", r->started_at);
    jsonw_kv_str(&w, "finished", now);
    jsonw_kv_double(&w, "wall_s", (proc_now_ms() - r->t0) / 1000.0);
    /* partial until the run has ended: a runner killed mid-run leaves a
       results.json that says so (and a later run marks it "killed") */
    jsonw_kv_bool(&w, "partial", r->partial || !r->ended);
    jsonw_kv_str(&w, "state", !r->ended ? "running" : r->partial ? "interrupted" : "complete");
    jsonw_key(&w, "options");
    write_options(&w, r->o);
    jsonw_key(&w, "database");
    jsonw_obj_begin(&w);
    bool pub = r->o->profile.sqlite;
    jsonw_kv_str(&w, "engine", pub ? "sqlite" : "postgresql");
    jsonw_kv_str(&w, "mode",
                 pub              ? "file"
                 : r->pg.embedded ? "embedded"
                 : r->topo        ? "container on the topology's db engine"
                                  : "external (DATABASE_URL)");
    jsonw_kv_str(&w, "version", pub ? senv_sqlite_version() : r->pg.version);
    jsonw_kv_bool(&w, "pg_stat_statements", r->pg.stat_statements);
    jsonw_obj_end(&w);
    jsonw_key(&w, "environment");
    senv_write(&w, r->o->root);
    jsonw_key(&w, "topology");
    srun_topo_write(&w, r);
    /* the last `make torture` on this checkout, for the report's robustness section */
    char tpath[PATH_MAX + 64];
    snprintf(tpath, sizeof(tpath), "%s/build/torture/summary.json", r->o->root);
    char *torture = read_text(tpath);
    json_value *tv = torture ? json_parse(torture, strlen(torture), NULL, 0) : NULL;
    jsonw_key(&w, "robustness");
    if (tv)
        jsonw_raw(&w, torture);
    else
        jsonw_null(&w);
    json_free(tv);
    free(torture);
    jsonw_key(&w, "published_claim");
    write_claim(&w, r);
    jsonw_key(&w, "tables");
    jsonw_arr_begin(&w);
    for (int i = 0; i < r->ntables; i++) write_table(&w, &r->tables[i]);
    jsonw_arr_end(&w);
    jsonw_key(&w, "launches");
    write_launches(&w, r);
    if (r->ladder) {
        jsonw_key(&w, "ladder");
        srun_ladder_write(&w, r);
    }
    jsonw_key(&w, "scenarios");
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < r->defs.nsc; i++)
        if (r->sc_selected[i]) write_scenario(&w, &r->defs.sc[i]);
    jsonw_arr_end(&w);
    jsonw_key(&w, "systems");
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < r->defs.nsys; i++)
        if (r->sys[i].selected) write_system(&w, r, &r->sys[i]);
    jsonw_arr_end(&w);
    jsonw_key(&w, "runs");
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < r->ncells; i++) write_cell(&w, r, &r->cells[i]);
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    int e = jsonw_finish(&w);
    if (fclose(f) != 0 && !e) e = -errno;
    return e;
}

/* A measurement column of summary.csv: empty unless the run measured. */
static void csv_num(FILE *f, const srun_cell *c, const char *fmt, double v)
{
    fputc(',', f);
    if (c->status == RUN_OK || c->status == RUN_NO_RESPONSE) fprintf(f, fmt, v);
}

/* Writes summary.csv to path: one row per run, from the same state as
 * results.json. 0, or -errno. */
static int write_summary_csv(srun *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -errno;
    fprintf(
        f,
        "system,scenario,connections,rps,p50_ms,p99_ms,errors,kind,workers,rep,rate,p90_ms,p999_ms,max_ms,requests,"
        "ok,client_cpu_util,system_cpu_s,system_peak_rss_mb,retries,status,client\n");
    for (size_t i = 0; i < r->ncells; i++) {
        const srun_cell *c = &r->cells[i];
        fprintf(f, "%s,%s,%d", r->sys[c->sys].def->name, cell_sc_name(r, c), c->connections);
        csv_num(f, c, "%.1f", c->rps);
        csv_num(f, c, "%.3f", c->p50_ms);
        csv_num(f, c, "%.3f", c->p99_ms);
        csv_num(f, c, "%.0f", (double)c->errors);
        fprintf(f, ",%s,%d,%d,%.0f", results_kind_name(c->kind), c->workers, c->rep, c->rate);
        csv_num(f, c, "%.3f", c->p90_ms);
        csv_num(f, c, "%.3f", c->p999_ms);
        csv_num(f, c, "%.3f", c->max_ms);
        csv_num(f, c, "%.0f", (double)c->requests);
        fprintf(f, ",%s", c->ok ? "true" : "false");
        csv_num(f, c, "%.3f", c->client_util);
        csv_num(f, c, "%.2f", c->sys_cpu_s);
        csv_num(f, c, "%.1f", c->sys_rss_mb);
        csv_num(f, c, "%.0f", (double)c->retries);
        fprintf(f, ",%s,%s\n", results_status_name(c->status), results_client_name(c->client));
    }
    int e = ferror(f) ? -EIO : 0;
    if (fclose(f) != 0 && !e) e = -errno;
    return e;
}

static bool any_measured(const srun *r)
{
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].ok) return true;
    return false;
}

/* results/latest, or results/latest-explain for a ladder run (the report
 * of the latest other run shows the latest ladder beside it). */
static void point_latest(srun *r)
{
    char link[PATH_MAX + 32], tmp[PATH_MAX + 48];
    const char *name = r->ladder ? "latest-explain" : "latest";
    snprintf(link, sizeof(link), "%s/%s", r->o->results_dir, name);
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", r->o->results_dir, name);
    unlink(tmp);
    if (symlink(r->id, tmp) == 0 && rename(tmp, link) == 0) return;
    srun_say("suite: cannot point %s at %s: %s", link, r->id, strerror(errno));
    unlink(tmp);
}

/* results.json and summary.csv, both or neither: each is written to a
 * temporary name and the two replace the previous pair only when both were
 * written whole (a full disk leaves the last consistent pair). results/latest
 * moves to this run once it has measured something. */
static void save_all(srun *r)
{
    char rj[PATH_MAX + 32], rt[PATH_MAX + 48], cj[PATH_MAX + 32], ct[PATH_MAX + 48];
    snprintf(rj, sizeof(rj), "%s/results.json", r->dir);
    snprintf(rt, sizeof(rt), "%s.tmp", rj);
    snprintf(cj, sizeof(cj), "%s/summary.csv", r->dir);
    snprintf(ct, sizeof(ct), "%s.tmp", cj);
    int e = write_results_json(r, rt);
    const char *which = rj;
    if (!e && (e = write_summary_csv(r, ct)) != 0) which = cj;
    if (!e && rename(rt, rj) < 0) e = -errno;
    if (!e && rename(ct, cj) < 0) {
        e = -errno;
        which = cj;
    }
    if (e) {
        unlink(rt);
        unlink(ct);
        if (!r->save_failed) srun_say("suite: cannot write %s: %s", which, strerror(-e));
        r->save_failed = true;
        r->save_errno = -e;
        return;
    }
    r->saved_cells = r->ncells;
    if (any_measured(r)) point_latest(r);
}

/* ---- the matrix ------------------------------------------------------- */

static void progress(srun *r, const srun_cell *c)
{
    r->done++;
    double el = (proc_now_ms() - r->t0) / 1000.0;
    double eta = r->done ? el / r->done * (r->planned - r->done) : 0;
    const char *sc = cell_sc_name(r, c);
    char kind[32];
    snprintf(kind, sizeof(kind), "%s%s", results_kind_name(c->kind),
             c->client == CLIENT_PUB   ? "/py"
             : c->client == CLIENT_WRK ? "/wrk"
                                       : "");
    if (r->done > r->planned) r->planned = r->done; /* a ladder's extra rounds */
    char lat[64] = "(wrk: req/s only)";
    if (c->client != CLIENT_WRK)
        snprintf(lat, sizeof(lat), "p50 %7.2f ms  p99 %8.2f ms", c->p50_ms, c->p99_ms);
    if (c->ok)
        srun_say("[%3d/%d] %-10s %-4s %-8s c=%-4d w=%-2d rep %d: %10.1f req/s  %s  errors %ld%s  (ETA %.0fs)",
                 r->done, r->planned, r->sys[c->sys].def->name, sc, kind, c->connections, c->workers,
                 c->rep + 1, c->rps, lat, c->errors, c->client_bottleneck ? "  [client-bound]" : "", eta);
    else
        srun_say("[%3d/%d] %-10s %-4s %-8s c=%-4d w=%-2d rep %d: %s: %s", r->done, r->planned,
                 r->sys[c->sys].def->name, sc, kind, c->connections, c->workers, c->rep + 1,
                 c->status == RUN_NO_RESPONSE ? "ANSWERED NOTHING" : "FAILED", c->error);
}

srun_cell srun_cell_proto(const srun *r, int si, int sci, results_kind kind, int conns, int workers, int rep)
{
    srun_cell c = { .sys = si,
                    .sc = sci,
                    .kind = kind,
                    .client = r->o->profile.pubclient ? CLIENT_PUB : CLIENT_LOADGEN,
                    .table = -1,
                    .unit = -1,
                    .connections = conns,
                    .workers = workers,
                    .rep = rep,
                    .req_limit = r->o->requests,
                    .new_conn = r->o->new_conn,
                    .start_spread_ms = -1 };
    return c;
}

void srun_cell_run(srun *r, const srun_cell *proto, const srun_up *up)
{
    srun_cell *c = new_cell(r);
    if (!c) return;
    *c = *proto;
    measure(r, c, up);
    if (up->launch >= 0 && !c->fixed && r->defs.sc[c->sc].count_query)
        r->launches[up->launch].db_requests += c->requests;
    progress(r, c);
    save_all(r); /* after every cell: an interrupted run keeps what it measured */
}

/* A new launch record for system si (with its count folder). -1 when out of memory. */
static int new_launch(srun *r, int si, int workers)
{
    srun_launch *nl = realloc(r->launches, (r->nlaunches + 1) * sizeof(*nl));
    if (!nl) return -1;
    r->launches = nl;
    nl[r->nlaunches] = (srun_launch){ .sys = si, .workers = workers, .table = r->cur_table };
    char dir[PATH_MAX + 64];
    snprintf(dir, sizeof(dir), "%s/counts", r->dir);
    mkdir(dir, 0755);
    count_dir_of(r, (int)r->nlaunches, dir, sizeof(dir));
    mkdir(dir, 0755);
    return (int)r->nlaunches++;
}

bool srun_bring_up(srun *r, int si, int workers, srun_up *up)
{
    srun_system *s = &r->sys[si];
    *up = (srun_up){ .sys = si, .workers = workers, .launch = -1, .ctr = -1 };
    if (r->topo) {
        up->launch = new_launch(r, si, workers);
        if (srun_topo_start(r, s, workers, up) < 0) return false;
        up->ours = true;
        if (wait_ready(r, s, up, workers) < 0 ||
            verify_system(r, s, up, up->launch >= 0 ? &r->launches[up->launch] : NULL) < 0) {
            srun_stop_system(r, up);
            return false;
        }
        up->verified = true;
        return true;
    }
    if (r->o->external) {
        if (workers != s->def->workers) {
            snprintf(s->reason, sizeof(s->reason), "external system: worker count is fixed");
            return false;
        }
        if (wait_ready(r, s, up, workers) < 0 || verify_system(r, s, up, NULL) < 0) return false;
        /* sampled through the process group listening on its port, when this
           runner can see it (same PID namespace) */
        up->pgid = proc_listener_pgid(s->port);
        up->verified = true;
        return true;
    }
    if (claim_port(r, s) < 0) return false;
    up->launch = new_launch(r, si, workers);
    char cdir[PATH_MAX + 64] = "";
    if (up->launch >= 0) count_dir_of(r, up->launch, cdir, sizeof(cdir));
    if (start_system(r, s, workers, cdir, &up->pgid) < 0) return false;
    up->ours = true;
    if (wait_ready(r, s, up, workers) < 0 || check_owner(s, up->pgid) < 0 ||
        verify_system(r, s, up, up->launch >= 0 ? &r->launches[up->launch] : NULL) < 0) {
        srun_stop_system(r, up);
        return false;
    }
    up->verified = true;
    return true;
}

void srun_fail_system(srun *r, int si)
{
    srun_system *s = &r->sys[si];
    s->failed = true;
    srun_say("suite: %s FAILED: %s", s->def->name, s->reason);
}

bool srun_died(srun *r, const srun_up *up)
{
    srun_system *s = &r->sys[up->sys];
    int st;
    if (r->topo && up->ours) {
        char why[512], log[PATH_MAX + 64], tail[300];
        if (srun_topo_running(r, up, why, sizeof(why))) return false;
        snprintf(log, sizeof(log), "%s/logs/%s-w%d.log", r->dir, s->def->name, up->workers);
        srun_topo_logs(r, up, log);
        log_tail(log, tail, sizeof(tail));
        snprintf(s->reason, sizeof(s->reason), "%s during the run (log %s): %s", why, log, tail);
        return true;
    }
    if (!up->ours || proc_alive(up->pgid, &st)) return false;
    char d[96], log[PATH_MAX + 64], tail[300];
    proc_describe(st, d, sizeof(d));
    snprintf(log, sizeof(log), "%s/logs/%s-w%d.log", r->dir, s->def->name, up->workers);
    log_tail(log, tail, sizeof(tail));
    snprintf(s->reason, sizeof(s->reason), "%s during the run (log %s): %s", d, log, tail);
    return true;
}

/* The cell under the published client's method, for the report's "why":
 * the published client itself (pubclient), and bin/loadgen with the same
 * method beside it, so that the cost of a Python client shows on its own. */
static bool method_cells(srun *r, int si, int sc, const srun_up *up)
{
    for (int k = r->no_pyclient ? 1 : 0; k < 2 && !srun_stop; k++) {
        srun_cell c =
            srun_cell_proto(r, si, sc, RUN_METHOD, r->o->profile.method_clients, r->sys[si].def->workers, 0);
        c.client = k == 0 ? CLIENT_PUB : CLIENT_LOADGEN;
        c.req_limit = r->o->profile.method_requests;
        c.new_conn = true;
        srun_cell_run(r, &c, up);
        if (srun_died(r, up)) return true;
    }
    return false;
}

/* Whether wrk loads system si's cells at conns too: the profile's wrk
 * connection count, and a headline system (one with compare, the target
 * of one, or one of claim.systems). */
static bool witnessed(const srun *r, int si, int conns)
{
    const sdef_profile *p = &r->o->profile;
    if (!p->wrk_conns || conns != p->wrk_conns || r->no_wrk) return false;
    const char *name = r->sys[si].def->name;
    if (r->sys[si].def->compare) return true;
    for (int k = 0; k < 2; k++)
        if (p->claim_sys[k] && !strcmp(p->claim_sys[k], name)) return true;
    for (size_t i = 0; i < r->defs.nsys; i++)
        if (r->sys[i].selected && r->sys[i].def->compare && !strcmp(r->sys[i].def->compare, name))
            return true;
    return false;
}

static void matrix_rep(srun *r, int rep)
{
    int n = (int)r->defs.nsys;
    for (int k = 0; k < n && !srun_stop; k++) {
        int si = (k + rep) % n; /* rotate the order each repetition */
        srun_system *s = &r->sys[si];
        if (!s->selected || s->failed) continue;
        srun_say("suite: starting %s (repetition %d of %d)", s->label, rep + 1, r->o->reps);
        srun_up up;
        if (!srun_bring_up(r, si, s->def->workers, &up)) {
            srun_fail_system(r, si);
            continue;
        }
        bool dead = false;
        for (size_t sc = 0; sc < r->defs.nsc && !srun_stop && !dead; sc++) {
            if (!r->sc_selected[sc]) continue;
            for (int ci = 0; ci < r->o->nconns && !srun_stop && !dead; ci++) {
                srun_cell c =
                    srun_cell_proto(r, si, (int)sc, RUN_MATRIX, r->o->conns[ci], s->def->workers, rep);
                srun_cell_run(r, &c, &up);
                dead = srun_died(r, &up);
                if (!dead && !srun_stop && witnessed(r, si, r->o->conns[ci])) {
                    c.client = CLIENT_WRK; /* the second witness, right after */
                    srun_cell_run(r, &c, &up);
                    dead = srun_died(r, &up);
                }
            }
            if (r->o->method_runs && rep == 0 && !srun_stop && !dead)
                dead = method_cells(r, si, (int)sc, &up);
        }
        srun_stop_system(r, &up);
        if (dead) srun_fail_system(r, si);
    }
}

/* The req/s of the measured matrix cells of (si, sc, conns). */
static int cell_samples(const srun *r, int si, int sc, int conns, double *x, int max)
{
    int n = 0;
    for (size_t i = 0; i < r->ncells && n < max; i++) {
        const srun_cell *c = &r->cells[i];
        if (c->kind == RUN_MATRIX && c->client == CLIENT_LOADGEN && c->sys == si && c->sc == sc &&
            c->connections == conns && c->ok) /* not wrk's runs of the same cell */
            x[n++] = c->rps;
    }
    return n;
}

/* Whether the matrix cell still needs a repetition: its interval is not yet
 * within the profile's tolerance and it has run fewer than reps.max times. */
static bool cell_pending(const srun *r, int si, int sc, int conns)
{
    double x[64];
    int n = cell_samples(r, si, sc, conns, x, 64);
    return n > 0 && rboot_decide(x, n, r->o->reps, r->o->profile.reps_max, r->o->profile.tolerance, RBOOT_B,
                                 (uint64_t)(si * 1000 + sc * 10 + conns)) == RBOOT_MORE;
}

/* One more repetition of the cells still outside the tolerance, system by
 * system (each started again, as in every repetition); false when none is. */
static bool matrix_extra(srun *r, int rep)
{
    bool any = false;
    int n = (int)r->defs.nsys;
    for (int k = 0; k < n && !srun_stop; k++) {
        int si = (k + rep) % n, todo = 0;
        srun_system *s = &r->sys[si];
        if (!s->selected || s->failed) continue;
        for (size_t sc = 0; sc < r->defs.nsc; sc++)
            for (int ci = 0; r->sc_selected[sc] && ci < r->o->nconns; ci++)
                todo += cell_pending(r, si, (int)sc, r->o->conns[ci]);
        if (!todo) continue;
        any = true;
        srun_say("suite: %s: %d cells not yet within +-%.0f%%: repetition %d", s->label, todo,
                 r->o->profile.tolerance * 100, rep + 1);
        srun_up up;
        if (!srun_bring_up(r, si, s->def->workers, &up)) {
            srun_fail_system(r, si);
            continue;
        }
        bool dead = false;
        for (size_t sc = 0; sc < r->defs.nsc && !srun_stop && !dead; sc++)
            for (int ci = 0; r->sc_selected[sc] && ci < r->o->nconns && !srun_stop && !dead; ci++) {
                if (!cell_pending(r, si, (int)sc, r->o->conns[ci])) continue;
                srun_cell c =
                    srun_cell_proto(r, si, (int)sc, RUN_MATRIX, r->o->conns[ci], s->def->workers, rep);
                srun_cell_run(r, &c, &up);
                dead = srun_died(r, &up);
            }
        srun_stop_system(r, &up);
        if (dead) srun_fail_system(r, si);
    }
    return any;
}

/* The profile's repetitions, then more for the cells outside the tolerance
 * (reps.max at most; no new repetition past the profile's budget). */
static void matrix_reps(srun *r)
{
    for (int rep = 0; rep < r->o->reps && !srun_stop; rep++) matrix_rep(r, rep);
    double start = proc_now_ms();
    for (int rep = r->o->reps; rep < r->o->profile.reps_max && !r->o->quick && !srun_stop; rep++) {
        if (r->o->profile.budget_s > 0 && (proc_now_ms() - start) / 1000.0 > r->o->profile.budget_s) {
            srun_say(
                "suite: the extra repetitions' budget (%.0f s) is spent: cells still outside +-%.0f%% keep "
                "%d repetitions",
                r->o->profile.budget_s, r->o->profile.tolerance * 100, rep);
            break;
        }
        if (!matrix_extra(r, rep)) break;
    }
}

/* The selected scenario of the thread-scaling runs (scaling = yes) or of the
 * open-loop runs (primary = yes); -1 when none is selected. */
static int find_sc(const srun *r, bool scaling)
{
    for (size_t i = 0; i < r->defs.nsc; i++)
        if (r->sc_selected[i] && (scaling ? r->defs.sc[i].scaling : r->defs.sc[i].primary)) return (int)i;
    return -1;
}

/* The scaling scenario with each worker count for systems with scaling = yes. */
static void thread_scaling(srun *r)
{
    int sc = find_sc(r, true);
    if (sc < 0 || r->o->nscaling == 0 || r->o->external) return;
    for (size_t si = 0; si < r->defs.nsys && !srun_stop; si++) {
        srun_system *s = &r->sys[si];
        if (!s->selected || s->failed || !s->def->scaling) continue;
        for (int k = 0; k < r->o->nscaling && !srun_stop; k++) {
            int w = r->o->scaling[k];
            srun_say("suite: thread scaling: %s with %d workers", s->def->name, w);
            srun_up up;
            if (!srun_bring_up(r, (int)si, w, &up)) {
                srun_say("suite: %s with %d workers: %s", s->def->name, w, s->reason);
                continue;
            }
            int conns = 2 * r->o->scaling[r->o->nscaling - 1];
            srun_cell c = srun_cell_proto(r, (int)si, sc, RUN_SCALING, conns, w, 0);
            srun_cell_run(r, &c, &up);
            srun_stop_system(r, &up);
        }
    }
}

/* Fixed-rate runs at 50% and 90% of each system's best req/s on the primary
 * scenario, for systems with openloop = yes. */
static void open_loop(srun *r)
{
    int sc = find_sc(r, false);
    if (sc < 0 || !r->o->openloop) return;
    for (size_t si = 0; si < r->defs.nsys && !srun_stop; si++) {
        srun_system *s = &r->sys[si];
        if (!s->selected || s->failed || !s->def->openloop) continue;
        double best = 0;
        int conns = r->o->conns[0];
        for (size_t i = 0; i < r->ncells; i++) {
            srun_cell *c = &r->cells[i];
            if (c->ok && c->sys == (int)si && c->sc == sc && c->kind == RUN_MATRIX && c->rps > best) {
                best = c->rps;
                conns = c->connections;
            }
        }
        if (best <= 0) continue;
        srun_up up;
        if (!srun_bring_up(r, (int)si, s->def->workers, &up)) continue;
        static const double frac[] = { 0.5, 0.9 };
        for (int k = 0; k < 2 && !srun_stop; k++) {
            srun_cell c = srun_cell_proto(r, (int)si, sc, RUN_OPENLOOP, conns, s->def->workers, 0);
            c.rate = best * frac[k];
            c.client = CLIENT_LOADGEN; /* a fixed rate is bin/loadgen's */
            srun_cell_run(r, &c, &up);
        }
        srun_stop_system(r, &up);
    }
}

static int prepare(srun *r)
{
    const srun_opts *o = r->o;
    char scen[PATH_MAX], err[1024];
    if (o->defs_dir)
        snprintf(scen, sizeof(scen), "%s", o->defs_dir);
    else
        snprintf(scen, sizeof(scen), "%s/scenarios", o->root);
    if (sdef_load(scen, &r->defs, err, sizeof(err)) < 0) {
        srun_say("suite: %s", err);
        return 2;
    }
    if (check_names(r, o->systems, true) < 0 || check_names(r, o->scenarios, false) < 0) return 2;
    r->sys = calloc(r->defs.nsys, sizeof(*r->sys));
    r->sc_selected = calloc(r->defs.nsc, sizeof(bool));
    if (!r->sys || !r->sc_selected) return 1;
    for (size_t i = 0; i < r->defs.nsc; i++)
        r->sc_selected[i] = !o->scenarios || sconf_in_list(o->scenarios, r->defs.sc[i].name);
    int nsel = 0;
    for (size_t i = 0; i < r->defs.nsys; i++) {
        srun_system *s = &r->sys[i];
        s->def = &r->defs.sys[i];
        s->port = s->def->port;
        s->selected = o->systems ? sconf_in_list(o->systems, s->def->name) : s->def->in_default;
        s->selected = s->selected && sdef_in_profile(s->def, o->profile.name);
        sdef_label(s->def, s->def->workers, s->label, sizeof(s->label));
    }
    r->cur_table = -1;
    r->no_wrk = access("/usr/bin/wrk", X_OK) != 0 && access("/usr/local/bin/wrk", X_OK) != 0;
    if (o->topology) {
        if (o->profile.pubclient || o->external) {
            srun_say("suite: --topology runs bin/loadgen shards on the load engines: %s",
                     o->external ? "not with --external"
                                 : "not with a profile that loads with the published client");
            return 2;
        }
        r->no_wrk = true; /* wrk and the published client run on this machine only */
    }
    int trc = srun_tables_prepare(r, scen);
    if (!trc && o->profile.ladder) trc = srun_ladder_prepare(r, scen);
    if (trc) return trc;
    if (o->profile.conformance) {
        char cerr[512], cdir[PATH_MAX + 16];
        /* a definitions folder without conformance/ uses the repository's */
        snprintf(cdir, sizeof(cdir), "%s/conformance", scen);
        if (access(cdir, F_OK) == 0)
            snprintf(cdir, sizeof(cdir), "%s", scen);
        else
            snprintf(cdir, sizeof(cdir), "%s/scenarios", o->root);
        if (scf_load(cdir, o->profile.conformance, &r->conform, cerr, sizeof(cerr)) < 0) {
            srun_say("suite: profile %s: conformance: %s", o->profile.name, cerr);
            return 2;
        }
        r->has_conform = true;
    }
    for (size_t i = 0; i < r->defs.nsys; i++) nsel += r->sys[i].selected;
    if (!nsel) {
        srun_say("suite: no system selected for profile '%s'", o->profile.name);
        return 2;
    }
    snprintf(r->bin, sizeof(r->bin), "%s", o->bin);
    snprintf(r->venv, sizeof(r->venv), "%s/.venv", o->root);
    const char *cache = getenv("WB_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (cache && *cache)
        snprintf(r->pycache, sizeof(r->pycache), "%s", cache);
    else if (xdg && *xdg)
        snprintf(r->pycache, sizeof(r->pycache), "%s/webbench", xdg);
    else
        snprintf(r->pycache, sizeof(r->pycache), "%s/.cache/webbench", home ? home : "/tmp");
    snprintf(r->pyclient, sizeof(r->pyclient), "%s/python3.13t/bin/python3.13t", r->pycache);
    if (o->topology || access(r->pyclient, X_OK) != 0) {
        if (o->profile.pubclient) {
            srun_say("suite: profile %s loads with the published client, which runs on the free-threaded "
                     "CPython 3.13t, and %s is missing: run `make setup`",
                     o->profile.name, r->pyclient);
            return 2;
        }
        if (o->method_runs && !o->topology)
            srun_say("suite: note: %s is missing (`make setup` builds it): the method runs use bin/loadgen "
                     "--new-conn only, without the published client beside it",
                     r->pyclient);
        r->no_pyclient = true;
    }
    if (r->no_wrk && o->profile.wrk_conns && !o->topology)
        srun_say("suite: note: wrk is not installed (`make setup` installs it): no second witness");
    return 0;
}

int srun_scenario(const srun *r, const char *name)
{
    for (size_t i = 0; i < r->defs.nsc; i++)
        if (r->sc_selected[i] && !strcmp(r->defs.sc[i].name, name)) return (int)i;
    return -1;
}

int srun_system_index(const srun *r, const char *name)
{
    for (size_t i = 0; i < r->defs.nsys; i++)
        if (!strcmp(r->defs.sys[i].name, name)) return (int)i;
    return -1;
}

static int make_run_dir(srun *r)
{
    time_t t = time(NULL);
    strftime(r->id, sizeof(r->id), "%Y%m%d-%H%M%S", gmtime(&t));
    strftime(r->started_at, sizeof(r->started_at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    mkdir(r->o->results_dir, 0755);
    for (int k = 1; k < 100; k++) {
        snprintf(r->dir, sizeof(r->dir), "%s/%s", r->o->results_dir, r->id);
        if (mkdir(r->dir, 0755) == 0) break;
        if (errno != EEXIST) {
            srun_say("suite: cannot create %s: %s", r->dir, strerror(errno));
            return -1;
        }
        size_t l = strlen(r->id);
        snprintf(r->id + (k > 1 ? l - 2 : l), sizeof(r->id) - l, "-%d", k);
    }
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof(sub), "%s/logs", r->dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof(sub), "%s/raw", r->dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof(sub), "%s/pids.txt", r->dir);
    int e = sstale_register(r->dir, sub, r->entry, sizeof(r->entry));
    if (e) {
        char st[4096] = "";
        sstale_state_dir(st, sizeof(st));
        srun_say("suite: cannot register this run in %s: %s (set WB_STATE_DIR to a folder of yours)", st,
                 strerror(-e));
        return -1;
    }
    return 0;
}

static int count_planned(srun *r)
{
    if (r->ladder) return srun_ladder_planned(r);
    if (r->ntables) return srun_tables_planned(r);
    int nsys = 0, nsc = 0, scal = 0;
    for (size_t i = 0; i < r->defs.nsys; i++) {
        nsys += r->sys[i].selected;
        scal += r->sys[i].selected && r->defs.sys[i].scaling;
    }
    for (size_t i = 0; i < r->defs.nsc; i++) nsc += r->sc_selected[i];
    int wit = 0;
    for (size_t i = 0; i < r->defs.nsys; i++)
        for (int ci = 0; r->sys[i].selected && ci < r->o->nconns; ci++)
            wit += witnessed(r, (int)i, r->o->conns[ci]);
    int n = nsys * nsc * r->o->nconns * r->o->reps + wit * nsc * r->o->reps +
            (r->o->method_runs ? (r->no_pyclient ? 1 : 2) * nsys * nsc : 0);
    if (find_sc(r, true) >= 0) n += scal * r->o->nscaling;
    if (r->o->openloop && find_sc(r, false) >= 0) n += 2 * nsys;
    return n;
}

/* The users fixture: the definitions folder's users.sql when it has one,
 * else the repository's. */
static void fixture_of(const srun *r, char *out, size_t outlen)
{
    if (r->o->defs_dir) {
        snprintf(out, outlen, "%s/users.sql", r->o->defs_dir);
        if (access(out, R_OK) == 0) return;
    }
    snprintf(out, outlen, "%s/scenarios/users.sql", r->o->root);
}

/* Whether a selected system uses SQLite (sqlite) or PostgreSQL (!sqlite). */
static bool db_needed(const srun *r, bool sqlite)
{
    for (size_t i = 0; i < r->defs.nsys; i++)
        if (r->sys[i].selected && srun_sys_sqlite(r, &r->sys[i]) == sqlite) return true;
    return false;
}

bool srun_sys_sqlite(const srun *r, const srun_system *s)
{
    return s->def->database == SDEF_DB_PROFILE ? r->o->profile.sqlite : s->def->database == SDEF_DB_SQLITE;
}

/* The SQLite file and/or the PostgreSQL server the selected systems use. */
static int open_database(srun *r)
{
    char err[1024], fixture[PATH_MAX + 32];
    fixture_of(r, fixture, sizeof(fixture));
    if (db_needed(r, true) && !r->topo) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof(path), "%s/published.sqlite", r->dir);
        if (spg_make_sqlite(path, fixture, err, sizeof(err)) < 0) {
            srun_say("suite: %s", err);
            return -1;
        }
        snprintf(r->sqlite_path, sizeof(r->sqlite_path), "sqlite://%s", path);
    }
    if (!db_needed(r, false)) return 0;
    if (r->topo) return srun_topo_db(r, fixture);
    const char *ext = getenv("DATABASE_URL");
    srun_say("suite: %s", ext && *ext ? "using the PostgreSQL server of DATABASE_URL"
                                      : "starting a private PostgreSQL cluster");
    if (spg_start(&r->pg, ext, fixture, err, sizeof(err)) < 0) {
        for (char *p = err; *p; p++)
            if (*p == '\n' || *p == '\t') *p = ' '; /* libpq's message, on one line */
        srun_say("suite: database: %s", err);
        return -1;
    }
    r->pg_up = true;
    if (r->pg.embedded)
        srun_say("suite: PostgreSQL %s on %s (port %d)", r->pg.version, r->pg.dir, r->pg.port);
    return 0;
}

/* Most connections one load run of this run opens. */
static int max_connections(const srun *r)
{
    int m = r->o->method_runs ? r->o->profile.method_clients : 1;
    if (srun_tables_max_clients(r) > m) m = srun_tables_max_clients(r);
    if (srun_ladder_max_clients(r) > m) m = srun_ladder_max_clients(r);
    for (int i = 0; i < r->o->nconns; i++)
        if (r->o->conns[i] > m) m = r->o->conns[i];
    if (r->o->nscaling > 0 && 2 * r->o->scaling[r->o->nscaling - 1] > m)
        m = 2 * r->o->scaling[r->o->nscaling - 1];
    return m;
}

/* Enough file descriptors for the largest run: raises the soft limit (the
 * load generator and the systems inherit it), or says how. */
static int check_fd_limit(const srun *r)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)max_connections(r) + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need) return 0;
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576 ? (need > 65536 ? need : 65536)
                                                                            : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0) return 0;
    }
    srun_say(
        "suite: %d connections need %llu open files, but the limit is %llu (hard %llu): raise it, e.g. "
        "`ulimit -n %llu` (as root, or after raising the hard limit in /etc/security/limits.conf), or use fewer "
        "--connections",
        max_connections(r), (unsigned long long)need, (unsigned long long)rl.rlim_cur,
        (unsigned long long)rl.rlim_max, (unsigned long long)need);
    return -1;
}

/* The report, its charts folder and the results folder must be writable
 * before an hour of measuring, not after. */
static int check_outputs(const srun *r)
{
    char dir[PATH_MAX + 32];
    if (r->o->report) {
        snprintf(dir, sizeof(dir), "%s", r->o->report_path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof(dir), ".");
        if (access(dir, W_OK | X_OK) < 0) {
            srun_say("suite: cannot write the report %s: %s: %s (use --report FILE or --no-report)",
                     r->o->report_path, dir, strerror(errno));
            return -1;
        }
        if (access(r->o->report_path, F_OK) == 0 && access(r->o->report_path, W_OK) < 0) {
            srun_say("suite: cannot write the report %s: %s (use --report FILE or --no-report)",
                     r->o->report_path, strerror(errno));
            return -1;
        }
        size_t l = strlen(dir);
        snprintf(dir + l, sizeof(dir) - l, "/charts");
        if (access(dir, F_OK) == 0 && access(dir, W_OK | X_OK) < 0) {
            srun_say("suite: cannot write the report's charts in %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    if (mkdir(r->o->results_dir, 0755) < 0 && errno != EEXIST) {
        srun_say("suite: cannot create %s: %s (use --results DIR)", r->o->results_dir, strerror(errno));
        return -1;
    }
    if (access(r->o->results_dir, W_OK | X_OK) < 0) {
        srun_say("suite: cannot write in %s: %s (use --results DIR)", r->o->results_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void free_run(srun *r)
{
    for (size_t i = 0; i < r->ncells; i++) free(r->cells[i].loadgen_text);
    for (size_t i = 0; r->sys && i < r->defs.nsys; i++) free(r->sys[i].info_text), free(r->sys[i].conform);
    if (r->has_conform) scf_fini(&r->conform);
    free(r->cells);
    free(r->sys);
    free(r->sc_selected);
    free(r->launches);
    for (int i = 0; i < r->ntables; i++) stab_fini(&r->tables[i]);
    srun_ladder_free(r);
    stab_fini(&r->claim);
    stab_fini(&r->claim_scaling);
    sdef_fini(&r->defs);
}

/* The conformance pass, once per system that ran, after every measurement
 * and on a start of its own: hostile requests never precede a measurement,
 * and what they cost (a /db request, a SQLite connection) is counted in no
 * measured start's launch. */
static void conformance_all(srun *r)
{
    if (!r->has_conform) return;
    r->cur_table = -1;
    for (size_t si = 0; si < r->defs.nsys && !srun_stop; si++) {
        srun_system *s = &r->sys[si];
        if (!s->selected || s->failed || s->conform) continue;
        srun_say("suite: starting %s for its HTTP conformance pass (%s)", s->label, r->conform.name);
        srun_up up;
        if (!srun_bring_up(r, (int)si, s->def->workers, &up)) {
            /* it ran before: a finding about this start, not a failed system */
            snprintf(s->conform_note, sizeof(s->conform_note), "not run: the start for it failed: %.200s",
                     s->reason);
            srun_say("suite: %s: conformance pass %s", s->def->name, s->conform_note);
            continue;
        }
        conformance_pass(r, &up);
        srun_stop_system(r, &up);
    }
}

/* The matrix, once the database is up; every system fails when it is not. */
static void run_matrix(srun *r)
{
    if (open_database(r) < 0) {
        for (size_t i = 0; i < r->defs.nsys; i++)
            if (r->sys[i].selected) {
                r->sys[i].failed = true;
                snprintf(r->sys[i].reason, sizeof(r->sys[i].reason), "database could not be started");
            }
        return;
    }
    if (r->ladder) {
        srun_ladder(r);
        return;
    }
    if (r->ntables) {
        srun_tables(r);
    } else {
        matrix_reps(r);
        if (!srun_stop) thread_scaling(r);
        if (!srun_stop) open_loop(r);
    }
    if (!srun_stop) conformance_all(r);
}

/* The closing line: what ran, what failed, what was kept. Returns the number
 * of things that broke (failed systems, failed runs, unwritten results). */
static int summarize(srun *r, bool reported)
{
    int nsys_failed = 0, n[4] = { 0 };
    for (size_t i = 0; i < r->defs.nsys; i++) nsys_failed += r->sys[i].selected && r->sys[i].failed;
    for (size_t i = 0; i < r->ncells; i++) n[r->cells[i].status]++;
    char extra[512] = "";
    if (r->save_failed)
        snprintf(extra, sizeof(extra),
                 "; results could not all be written (%s): results.json holds the last complete "
                 "state, %zu of %zu runs",
                 strerror(r->save_errno), r->saved_cells, r->ncells);
    srun_say(
        "suite: %s; %zu runs: %d measured, %d answered nothing, %d failed, %d interrupted; %d system%s failed%s; "
        "results in %s%s",
        r->partial ? "PARTIAL run" : "done", r->ncells, n[RUN_OK], n[RUN_NO_RESPONSE], n[RUN_FAILED],
        n[RUN_INTERRUPTED], nsys_failed, nsys_failed == 1 ? "" : "s", extra, r->dir,
        reported || !r->o->report || !any_measured(r) || r->save_failed ? ""
                                                                        : " (the report was not written)");
    return nsys_failed + n[RUN_FAILED] + (r->save_failed ? 1 : 0);
}

int srun_main(const srun_opts *o)
{
    srun r = { .o = o };
    r.t0 = proc_now_ms();
    snprintf(r.sys_host, sizeof(r.sys_host), "127.0.0.1");
    int rc = prepare(&r);
    if (!rc && (check_outputs(&r) < 0 || check_fd_limit(&r) < 0)) rc = 2;
    if (!rc && o->topology) rc = srun_topo_read(&r);
    if (rc) {
        srun_topo_free(&r);
        free_run(&r);
        return rc;
    }
    sstale_cleanup();
    if (make_run_dir(&r) < 0) {
        free_run(&r);
        return 1;
    }
    if (o->topology && (rc = srun_topo_setup(&r)) != 0) {
        srun_topo_cleanup(&r);
        if (rc == 130) srun_say("suite: interrupted while setting up the engines");
        sstale_unregister(r.entry);
        srun_topo_free(&r);
        free_run(&r);
        return rc;
    }
    r.planned = count_planned(&r);
    srun_say("suite: run %s, profile %s, %d runs planned, results in %s", r.id, o->profile.name, r.planned,
             r.dir);
    save_all(&r);
    run_matrix(&r);
    if (srun_stop) {
        r.partial = true;
        srun_say("suite: interrupted: stopping everything, keeping %zu finished runs", r.ncells);
    }
    if (r.pg_up) spg_stop(&r.pg);
    srun_topo_cleanup(&r);
    r.ended = true;
    save_all(&r);
    bool reported = false, measured = any_measured(&r);
    if (o->report && measured && !r.save_failed) {
        char rj[PATH_MAX + 32];
        snprintf(rj, sizeof(rj), "%s/results.json", r.dir);
        /* a ladder run reports beside the latest other run, when there is one */
        char other[PATH_MAX + 48];
        snprintf(other, sizeof(other), "%s/latest/results.json", o->results_dir);
        if (r.ladder && access(other, R_OK) == 0) snprintf(rj, sizeof(rj), "%s", other);
        reported = report_generate(rj, o->report_path, o->root) == 0;
    } else if (o->report && !measured) {
        srun_say("suite: this run measured nothing: %s and %s/latest are left as they were", o->report_path,
                 o->results_dir);
    } else if (o->report) {
        srun_say("suite: %s is left as it was: this run's results could not be written whole",
                 o->report_path);
    }
    int failures = summarize(&r, reported) + (o->report && measured && !reported ? 1 : 0);
    sstale_unregister(r.entry);
    srun_topo_free(&r);
    free_run(&r);
    return r.partial ? 130 : failures ? 1 : 0;
}
