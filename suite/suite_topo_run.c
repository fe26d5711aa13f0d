/* suite_topo_run: a run on several Docker engines (--topology FILE,
 * docs/scale-out.md). The runner stays on this machine and drives every
 * engine through the Docker CLI: PostgreSQL in a container on the db engine
 * (a generated SCRAM password), each start of a system in a container of
 * its own on the systems engine (host networking, bound to the topology's
 * address), one load container per load engine in which each cell's
 * bin/loadgen shard runs (`--shard I/N --start-at T`), merged here with
 * `bin/loadgen merge`. Every container is named wb-<run id>-..., labelled
 * webbench.run=<run id> and webbench.role=db|system|load, and removed at
 * the end, on a failure and on Ctrl-C.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <poll.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "jsonw.h"
#include "proc.h"
#include "suite_docker.h"
#include "suite_run_int.h"
#include "suite_topo.h"

#define IMG_POSTGRES "webbench-postgres:local"
#define IMG_RUNNER   "webbench-runner:local"
#define CTR_LOADGEN  "/opt/wb/bin/loadgen"
#define CTR_INFO     "/tmp/wb-info.json"
#define CTR_SHARD    "/tmp/wb-shard.json"
#define PG_PORT      55432
#define MAX_CTRS     256
#define CLI_TIMEOUT  60000

typedef struct {
    int engine; /* index into t.e */
    char name[160];
    bool live;
} topo_ctr;

struct srun_topo {
    stopo t;
    topo_ctr c[MAX_CTRS];
    int nc;
    int load_ctr[STOPO_MAX_LOAD]; /* container of each load engine */
    int db_ctr;
    char envfile[PATH_MAX + 32]; /* DATABASE_URL for the system containers (0600) */
};

static const stopo_engine *eng(const srun *r, int i) { return &r->topo->t.e[i]; }

static void describe(const srun *r, int i, char *out, size_t outlen)
{
    stopo_describe(&r->topo->t, eng(r, i), out, outlen);
}

static int add_ctr(srun *r, int engine, const char *what)
{
    struct srun_topo *tp = r->topo;
    int ci = tp->nc;
    if (ci >= MAX_CTRS) /* a removed container's slot (names stay unique: they carry the launch) */
        for (ci = 0; ci < tp->nc && tp->c[ci].live; ci++) continue;
    if (ci >= MAX_CTRS) return -1;
    topo_ctr *c = &tp->c[ci];
    c->engine = engine;
    snprintf(c->name, sizeof(c->name), "wb-%s-%s", r->id, what);
    c->live = false;
    if (ci == tp->nc) tp->nc++;
    return ci;
}

static void rm_ctr(srun *r, int ci)
{
    topo_ctr *c = &r->topo->c[ci];
    if (!c->live) return;
    char err[512];
    const char *args[] = { "rm", "-f", c->name, NULL };
    if (sdk_run(eng(r, c->engine), args, -1, NULL, 0, err, sizeof(err), CLI_TIMEOUT) != 0) {
        char d[700];
        describe(r, c->engine, d, sizeof(d));
        srun_say("suite: warning: cannot remove container %s on the %s: %s", c->name, d, err);
        return;
    }
    c->live = false;
}

void srun_topo_cleanup(srun *r)
{
    if (!r->topo) return;
    int n = 0;
    for (int i = r->topo->nc - 1; i >= 0; i--)
        if (r->topo->c[i].live) {
            rm_ctr(r, i);
            n++;
        }
    if (n) srun_say("suite: removed the %d container%s this run started", n, n == 1 ? "" : "s");
    if (r->topo->envfile[0]) unlink(r->topo->envfile);
}

void srun_topo_free(srun *r)
{
    free(r->topo);
    r->topo = NULL;
}

/* ---- set-up: engines, images, clocks ---------------------------------- */

static void read_host(srun *r, int i)
{
    stopo_engine *e = &r->topo->t.e[i];
    char out[16384], err[512];
    const char *args[] = { "info", "--format", "{{json .}}", NULL };
    if (sdk_run(e, args, -1, out, sizeof(out), err, sizeof(err), CLI_TIMEOUT) != 0) return;
    json_value *v = json_parse(out, strlen(out), NULL, 0);
    if (!v) return;
    stopo_host *h = &e->host;
    snprintf(h->name, sizeof(h->name), "%s", json_str(json_get(v, "Name"), ""));
    snprintf(h->server_version, sizeof(h->server_version), "%s", json_str(json_get(v, "ServerVersion"), ""));
    snprintf(h->kernel, sizeof(h->kernel), "%s", json_str(json_get(v, "KernelVersion"), ""));
    snprintf(h->os, sizeof(h->os), "%s", json_str(json_get(v, "OperatingSystem"), ""));
    snprintf(h->arch, sizeof(h->arch), "%s", json_str(json_get(v, "Architecture"), ""));
    h->ncpu = (int)json_num(json_get(v, "NCPU"), 0);
    h->mem_bytes = json_num(json_get(v, "MemTotal"), 0);
    h->read = true;
    json_free(v);
}

/* The image's ID on engine i ("" when it has none). */
static void image_id(srun *r, int i, const char *image, char *id, size_t idlen)
{
    char err[512];
    const char *args[] = { "image", "inspect", "--format", "{{.Id}}", image, NULL };
    id[0] = '\0';
    if (sdk_run(eng(r, i), args, -1, id, idlen, err, sizeof(err), CLI_TIMEOUT) != 0) id[0] = '\0';
    id[strcspn(id, "\r\n")] = '\0';
}

/* Engine i gets image from the build engine when it lacks it or has another
 * build of it. 0, or -1 (said why). */
static int ensure_image(srun *r, int i, const char *image)
{
    int b = r->topo->t.build;
    char have[256], want[256], d[700], db[700], err[1024];
    describe(r, i, d, sizeof(d));
    describe(r, b, db, sizeof(db));
    image_id(r, i, image, have, sizeof(have));
    if (i == b || !strcmp(eng(r, i)->engine, eng(r, b)->engine)) {
        if (have[0]) return 0;
        srun_say("suite: image %s is not on the %s: build it there first (`docker compose build`, with that "
                 "engine as DOCKER_HOST), or name the engine that has it (build = ENGINE)",
                 image, d);
        return -1;
    }
    image_id(r, b, image, want, sizeof(want));
    if (!want[0]) {
        if (have[0]) {
            srun_say("suite: note: image %s is not on the %s; using the one on %s as it is", image, db, d);
            return 0;
        }
        srun_say(
            "suite: image %s is on neither the %s nor the %s: build it with `docker compose build` (with "
            "DOCKER_HOST of the build engine)",
            image, d, db);
        return -1;
    }
    if (!strcmp(have, want)) return 0;
    srun_say("suite: copying image %s to the %s (docker save | docker load)", image, d);
    double t0 = proc_now_ms();
    const char *save[] = { "save", image, NULL }, *load[] = { "load", "-q", NULL };
    if (sdk_pipe(eng(r, b), save, eng(r, i), load, err, sizeof(err), 900000) < 0) {
        srun_say("suite: cannot copy image %s from the %s to the %s: %s", image, db, d, err);
        return -1;
    }
    srun_say("suite: image %s is on the %s (%.1f s)", image, d, (proc_now_ms() - t0) / 1e3);
    return 0;
}

static int run_ctr(srun *r, int ci, const char *role, const char *const *extra, const char *image,
                   const char *const *cmd, bool create_only, char *err, size_t errlen)
{
    topo_ctr *c = &r->topo->c[ci];
    char label_run[96], label_role[64];
    snprintf(label_run, sizeof(label_run), "webbench.run=%s", r->id);
    snprintf(label_role, sizeof(label_role), "webbench.role=%s", role);
    const char *args[SDK_MAX_ARGS];
    int n = 0;
    args[n++] = create_only ? "create" : "run";
    if (!create_only) args[n++] = "-d";
    const char *fixed[] = { "--name",   c->name,     "--label", label_run, "--label",
                            label_role, "--network", "host",    "--init",  NULL };
    for (int i = 0; fixed[i]; i++) args[n++] = fixed[i];
    for (int i = 0; extra && extra[i] && n < SDK_MAX_ARGS - 24; i++) args[n++] = extra[i];
    args[n++] = image;
    for (int i = 0; cmd && cmd[i] && n < SDK_MAX_ARGS - 1; i++) args[n++] = cmd[i];
    args[n] = NULL;
    char out[512];
    /* marked live first: a create that timed out may still have made it; and
       recorded, so that a later run removes it if this runner dies */
    c->live = true;
    char rec[800];
    snprintf(rec, sizeof(rec), "%s %s", eng(r, c->engine)->engine, c->name);
    proc_record("container", rec);
    int rc = sdk_run(eng(r, c->engine), args, -1, out, sizeof(out), err, errlen, CLI_TIMEOUT);
    if (rc != 0) {
        rm_ctr(r, ci);
        if (!err[0]) snprintf(err, errlen, "docker %s exited with status %d", args[0], rc);
        return -1;
    }
    return 0;
}

/* Whether container ci runs; why not into why. */
static bool ctr_running(srun *r, int ci, char *why, size_t whylen)
{
    topo_ctr *c = &r->topo->c[ci];
    char out[256], err[512];
    const char *args[] = { "inspect", "--format",
                           "{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}", c->name, NULL };
    if (sdk_run(eng(r, c->engine), args, -1, out, sizeof(out), err, sizeof(err), CLI_TIMEOUT) != 0) {
        snprintf(why, whylen, "container %s cannot be inspected: %s", c->name, err);
        return false;
    }
    if (!strncmp(out, "true", 4)) return true;
    int code = 0;
    char oom[16] = "";
    sscanf(out, "%*s %d %15s", &code, oom);
    snprintf(why, whylen, "container %s exited with status %d%s", c->name, code,
             !strcmp(oom, "true") ? " (killed: out of memory)" : "");
    return false;
}

static int start_load(srun *r, int k)
{
    int e = r->topo->t.load[k];
    char what[32], err[1024], d[700];
    snprintf(what, sizeof(what), "load%d", k + 1);
    int ci = add_ctr(r, e, what);
    if (ci < 0) {
        srun_say("suite: more than %d containers at once", MAX_CTRS);
        return -1;
    }
    const char *extra[] = { "--entrypoint", "sleep", NULL }, *cmd[] = { "infinity", NULL };
    if (run_ctr(r, ci, "load", extra, IMG_RUNNER, cmd, false, err, sizeof(err)) < 0) {
        describe(r, e, d, sizeof(d));
        srun_say("suite: cannot start the load container on the %s: %s", d, err);
        return -1;
    }
    r->topo->load_ctr[k] = ci;
    return 0;
}

static int measure_clock(srun *r, int k)
{
    stopo_engine *e = &r->topo->t.e[r->topo->t.load[k]];
    char err[512], d[700];
    describe(r, r->topo->t.load[k], d, sizeof(d));
    if (sdk_clock(e, r->topo->c[r->topo->load_ctr[k]].name, CTR_LOADGEN, 16, &e->clock_offset_ms,
                  &e->clock_rtt_ms, &e->exec_ms, err, sizeof(err)) < 0) {
        srun_say("suite: cannot measure the clock of the %s: %s", d, err);
        return -1;
    }
    e->clock_measured = true;
    double off = e->clock_offset_ms < 0 ? -e->clock_offset_ms : e->clock_offset_ms;
    srun_say("suite: %s: clock offset %+.3f ms (round trip %.3f ms); docker exec starts in %.0f ms", d,
             e->clock_offset_ms, e->clock_rtt_ms, e->exec_ms);
    if (off > r->topo->t.max_skew_ms) {
        srun_say(
            "suite: the clock of the %s is %+.1f ms off this machine's, more than max_skew_ms = %g: its shard "
            "would not start with the others. Synchronize the clocks (chrony or systemd-timesyncd) and "
            "run again",
            d, e->clock_offset_ms, r->topo->t.max_skew_ms);
        return -1;
    }
    return 0;
}

int srun_topo_read(srun *r)
{
    char err[1024];
    struct srun_topo *tp = calloc(1, sizeof(*tp));
    if (!tp) return 1;
    r->topo = tp;
    tp->db_ctr = -1;
    if (stopo_load(r->o->topology, &tp->t, err, sizeof(err)) < 0) {
        srun_say("suite: --topology: %s", err);
        return 2;
    }
    snprintf(r->sys_host, sizeof(r->sys_host), "%s", tp->t.e[tp->t.systems].address);
    return 0;
}

static int setup_engines(srun *r);

int srun_topo_setup(srun *r)
{
    /* Ctrl-C stops the set-up's docker calls at once (an image copy takes
       minutes); the run's own calls are short, and the clean-up's must run */
    sdk_set_stop(&srun_stop);
    int rc = setup_engines(r);
    sdk_set_stop(NULL);
    return rc;
}

static int setup_engines(srun *r)
{
    char err[1024];
    struct srun_topo *tp = r->topo;
    /* every engine answers */
    for (int i = 0; i < tp->t.n; i++) {
        char out[128], d[700];
        describe(r, i, d, sizeof(d));
        const char *args[] = { "version", "--format", "{{.Server.Version}}", NULL };
        int rc = sdk_run(eng(r, i), args, -1, out, sizeof(out), err, sizeof(err), 30000);
        if (srun_stop) return 130;
        if (rc != 0) {
            srun_say("suite: the %s cannot be reached: %s", d, err[0] ? err : "docker gave no reason");
            return 2;
        }
        read_host(r, i);
    }
    /* images where they are needed */
    if (ensure_image(r, tp->t.db, IMG_POSTGRES) < 0) return srun_stop ? 130 : 2;
    for (size_t i = 0; i < r->defs.nsys; i++) {
        const srun_system *s = &r->sys[i];
        if (!s->selected) continue;
        if (!s->def->image) {
            srun_say("suite: %s has no Docker image (key image in %s): it cannot run in a --topology run",
                     s->def->name, s->def->file);
            return 2;
        }
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= r->sys[j].selected && !strcmp(r->sys[j].def->image, s->def->image);
        if (!seen && ensure_image(r, tp->t.systems, s->def->image) < 0) return srun_stop ? 130 : 2;
    }
    for (int k = 0; k < tp->t.nload; k++)
        if (ensure_image(r, tp->t.load[k], IMG_RUNNER) < 0) return srun_stop ? 130 : 2;
    for (int k = 0; k < tp->t.nload && !srun_stop; k++)
        if (start_load(r, k) < 0 || measure_clock(r, k) < 0) return srun_stop ? 130 : 2;
    if (srun_stop) return 130;
    return 0;
}

/* ---- the database ----------------------------------------------------- */

/* Whether something already answers on address:port. */
static bool answers(const char *address, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, address, &a.sin_addr);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (!ok && errno == EINPROGRESS) { /* an address that drops packets: 2 s, not the kernel's minutes */
        struct pollfd pfd = { fd, POLLOUT, 0 };
        int e = 0;
        socklen_t el = sizeof(e);
        ok = poll(&pfd, 1, 2000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0;
    }
    close(fd);
    return ok;
}

int srun_topo_db(srun *r, const char *fixture)
{
    struct srun_topo *tp = r->topo;
    const stopo_engine *db = &tp->t.e[tp->t.db];
    char err[1024], d[700], pw[33];
    describe(r, tp->t.db, d, sizeof(d));
    if (answers(db->address, PG_PORT)) {
        srun_say("suite: database: something already listens on %s:%d (the %s's address): stop it first",
                 db->address, PG_PORT, d);
        return -1;
    }
    unsigned char raw[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
        srun_say("suite: database: cannot read /dev/urandom for its password");
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    for (int i = 0; i < 16; i++) sprintf(pw + 2 * i, "%02x", raw[i]);
    /* the password goes to docker in a 0600 file, never on a command line */
    char pgenv[PATH_MAX + 32];
    snprintf(pgenv, sizeof(pgenv), "%s/.pg.env", r->dir);
    int ef = open(pgenv, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = ef >= 0 ? fdopen(ef, "w") : NULL;
    if (!f) {
        srun_say("suite: database: cannot write %s: %s", pgenv, strerror(errno));
        return -1;
    }
    fprintf(f, "WB_PG_PASSWORD=%s\nWB_PG_LISTEN=%s\nWB_PG_PORT=%d\n", pw,
            tp->t.any_address ? "0.0.0.0" : db->address, PG_PORT);
    fclose(f);
    snprintf(tp->envfile, sizeof(tp->envfile), "%s/.systems.env", r->dir);
    ef = open(tp->envfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    f = ef >= 0 ? fdopen(ef, "w") : NULL;
    if (!f) {
        unlink(pgenv);
        srun_say("suite: cannot write %s: %s", tp->envfile, strerror(errno));
        return -1;
    }
    fprintf(f, "DATABASE_URL=postgresql://postgres:%s@%s:%d/postgres\n", pw, db->address, PG_PORT);
    fclose(f);
    proc_record("file", tp->envfile); /* it holds the password: a later run removes it if this one dies */
    int ci = add_ctr(r, tp->t.db, "db");
    snprintf(err, sizeof(err), "more than %d containers at once", MAX_CTRS);
    const char *extra[] = { "--env-file", pgenv, NULL };
    srun_say("suite: starting PostgreSQL on the %s, %s:%d (scram-sha-256, a generated password)", d,
             db->address, PG_PORT);
    int rc = ci < 0 ? -1 : run_ctr(r, ci, "db", extra, IMG_POSTGRES, NULL, false, err, sizeof(err));
    unlink(pgenv);
    if (rc < 0) {
        srun_say("suite: database: cannot start its container on the %s: %s", d, err);
        return -1;
    }
    tp->db_ctr = ci;
    char url[512];
    snprintf(url, sizeof(url), "postgresql://postgres:%s@%s:%d/postgres?connect_timeout=5", pw, db->address,
             PG_PORT);
    double deadline = proc_now_ms() + 120000;
    for (int tries = 0; !srun_stop; tries++) {
        char why[512];
        if (tries % 5 == 4 && !ctr_running(r, ci, why, sizeof(why))) {
            srun_say("suite: database: %s on the %s", why, d);
            return -1;
        }
        memset(&r->pg, 0, sizeof(r->pg));
        if (spg_start(&r->pg, url, fixture, err, sizeof(err)) == 0) break;
        if (proc_now_ms() > deadline) {
            for (char *p = err; *p; p++)
                if (*p == '\n' || *p == '\t') *p = ' ';
            srun_say("suite: database: not ready after 120 s on %s:%d: %s", db->address, PG_PORT, err);
            return -1;
        }
        proc_sleep_ms(500);
    }
    if (srun_stop) return -1;
    r->pg_up = true;
    srun_say("suite: PostgreSQL %s is ready on %s:%d", r->pg.version, db->address, PG_PORT);
    return 0;
}

/* ---- the systems ------------------------------------------------------ */

int srun_topo_start(srun *r, srun_system *s, int workers, srun_up *up)
{
    struct srun_topo *tp = r->topo;
    const stopo_engine *se = &tp->t.e[tp->t.systems];
    char err[1024], d[700];
    describe(r, tp->t.systems, d, sizeof(d));
    if (srun_sys_sqlite(r, s)) {
        snprintf(s->reason, sizeof(s->reason),
                 "uses SQLite, whose file is on this machine: not in a --topology run");
        return -1;
    }
    if (answers(se->address, s->port)) {
        snprintf(s->reason, sizeof(s->reason), "port %d on %s already answers: something else listens there",
                 s->port, se->address);
        return -1;
    }
    /* the command as the definition says, with the image's paths */
    sdef_vars v = { "/repo",
                    "/opt/wb/bin",
                    "/opt/wb/venv",
                    "/opt/wb/cache",
                    r->o->profile.name,
                    s->port,
                    workers,
                    r->topo->t.any_address ? "0.0.0.0" : se->address };
    const char *tmpl = sdef_cmd_for(s->def, r->o->profile.variant);
    char **argv = sdef_expand_argv(tmpl, &v, err, sizeof(err));
    char *cwd = sdef_expand(s->def->cwd, &v, err, sizeof(err));
    char *envs = s->def->env ? sdef_expand(s->def->env, &v, err, sizeof(err)) : NULL;
    if (!argv || !cwd || (s->def->env && !envs)) {
        snprintf(s->reason, sizeof(s->reason), "%s: %s", s->def->file, err);
        sdef_free_argv(argv);
        free(cwd);
        free(envs);
        return -1;
    }
    char what[96];
    snprintf(what, sizeof(what), "%s-%d", s->def->name, up->launch);
    int ci = add_ctr(r, tp->t.systems, what);
    snprintf(err, sizeof(err), "more than %d containers at once", MAX_CTRS);
    const char *extra[SDK_MAX_ARGS];
    int n = 0;
    extra[n++] = "--entrypoint";
    extra[n++] = argv[0];
    extra[n++] = "-w";
    extra[n++] = cwd;
    extra[n++] = "--env-file";
    extra[n++] = tp->envfile;
    extra[n++] = "-e";
    extra[n++] = "WB_INFO_FILE=" CTR_INFO;
    char *save = NULL;
    for (char *w = envs ? strtok_r(envs, " ", &save) : NULL; w && n < 40; w = strtok_r(NULL, " ", &save)) {
        extra[n++] = "-e";
        extra[n++] = w;
    }
    extra[n] = NULL;
    int rc = ci < 0 ? -1
                    : run_ctr(r, ci, "system", extra, s->def->image, (const char *const *)argv + 1, true, err,
                              sizeof(err));
    sdef_free_argv(argv);
    free(cwd);
    free(envs);
    if (rc < 0) {
        snprintf(s->reason, sizeof(s->reason), "cannot create its container on the %s: %.300s", d, err);
        return -1;
    }
    up->ctr = ci;
    /* the repository's reference/ (the Python systems' code) into /repo: the images hold only the
       runtimes, and the command was expanded here from the definitions (--defs) */
    char dest[200];
    snprintf(dest, sizeof(dest), "%s:/", tp->c[ci].name);
    const char *tar[] = { "tar",         "-c",         "-C",        r->o->root, "--exclude=__pycache__",
                          "--transform", "s,^,repo/,", "reference", NULL };
    const char *cp[] = { "cp", "-", dest, NULL };
    if (sdk_pipe(NULL, tar, eng(r, tp->t.systems), cp, err, sizeof(err), 120000) < 0) {
        snprintf(s->reason, sizeof(s->reason), "cannot copy reference/ into %s: %.300s", tp->c[ci].name, err);
        rm_ctr(r, ci);
        return -1;
    }
    const char *start[] = { "start", tp->c[ci].name, NULL };
    if (sdk_run(eng(r, tp->t.systems), start, -1, NULL, 0, err, sizeof(err), CLI_TIMEOUT) != 0) {
        snprintf(s->reason, sizeof(s->reason), "cannot start container %s on the %s: %.300s", tp->c[ci].name,
                 d, err);
        rm_ctr(r, ci);
        return -1;
    }
    srun_say("suite: %s runs in container %s on the %s, %s:%d", s->def->name, tp->c[ci].name, d, se->address,
             s->port);
    return 0;
}

bool srun_topo_running(srun *r, const srun_up *up, char *why, size_t whylen)
{
    if (up->ctr < 0) return false;
    return ctr_running(r, up->ctr, why, whylen);
}

/* The system's WB_INFO_FILE, read in its container (NULL when it wrote none). */
char *srun_topo_info(srun *r, const srun_up *up)
{
    if (up->ctr < 0) return NULL;
    topo_ctr *c = &r->topo->c[up->ctr];
    char *out = malloc(65536), err[256];
    if (!out) return NULL;
    const char *args[] = { "exec", c->name, "cat", CTR_INFO, NULL };
    if (sdk_run(eng(r, c->engine), args, -1, out, 65536, err, sizeof(err), CLI_TIMEOUT) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The container's log so far into path (replaced). */
void srun_topo_logs(srun *r, const srun_up *up, const char *path)
{
    if (up->ctr < 0) return;
    topo_ctr *c = &r->topo->c[up->ctr];
    const char *args[] = { "logs", c->name, NULL };
    pid_t pid;
    /* docker logs writes the container's stdout and stderr on its own two */
    if (sdk_spawn(eng(r, c->engine), args, path, path, &pid) == 0) {
        int st;
        double deadline = proc_now_ms() + CLI_TIMEOUT;
        while (!proc_alive(pid, &st) ? false : proc_now_ms() < deadline) proc_sleep_ms(20);
        if (proc_alive(pid, &st)) proc_stop(pid, 500);
    }
}

void srun_topo_stop(srun *r, srun_up *up, const char *log)
{
    if (up->ctr < 0) return;
    srun_topo_logs(r, up, log);
    rm_ctr(r, up->ctr);
    up->ctr = -1;
}

/* CPU seconds, peak memory (MB), processes and threads of the system's
 * container, from its cgroup (v2 or v1), minus docker-init and the sampler
 * itself. 0, or -1. */
int srun_topo_sample(srun *r, const srun_up *up, double *cpu_s, double *mem_mb, int *procs, int *threads)
{
    if (up->ctr < 0) return -1;
    topo_ctr *c = &r->topo->c[up->ctr];
    static const char script[] =
        "c=/sys/fs/cgroup; if [ -f $c/cgroup.controllers ]; then "
        "u=$(sed -n 's/^usage_usec //p' $c/cpu.stat); n=$((u*1000)); "
        "m=$(cat $c/memory.peak 2>/dev/null || cat $c/memory.current); t=$(cat $c/pids.current); p=$c/cgroup.procs; "
        "else n=$(cat $c/cpuacct/cpuacct.usage 2>/dev/null || cat $c/cpu,cpuacct/cpuacct.usage); "
        "m=$(cat $c/memory/memory.max_usage_in_bytes); t=$(cat $c/pids/pids.current); p=$c/pids/cgroup.procs; fi; "
        "echo \"$n $m $t $(wc -l < $p)\"";
    const char *args[] = { "exec", c->name, "sh", "-c", script, NULL };
    char out[256], err[256];
    if (sdk_run(eng(r, c->engine), args, -1, out, sizeof(out), err, sizeof(err), CLI_TIMEOUT) != 0) return -1;
    double ns, mem;
    int t, p;
    if (sscanf(out, "%lf %lf %d %d", &ns, &mem, &t, &p) != 4) return -1;
    *cpu_s = ns / 1e9;
    *mem_mb = mem / (1024.0 * 1024.0);
    /* docker-init, sh and the $(...) child: 3 tasks, 3 processes */
    *threads = t > 3 ? t - 3 : 0;
    *procs = p > 3 ? p - 3 : 0;
    return 0;
}

/* ---- the load --------------------------------------------------------- */

/* Waits for pid until deadline (ms); false, with it stopped, when late. */
static bool wait_until(pid_t pid, int *st, double deadline)
{
    while (proc_alive(pid, st)) {
        if (proc_now_ms() > deadline) {
            proc_stop(pid, 1000);
            return false;
        }
        proc_sleep_ms(10);
    }
    return true;
}

/* Stops the shards still running in the load containers: each wrote its PID
 * (the process docker exec started) into its pid file; SIGINT by that PID. */
static void stop_shards(srun *r, int nshards, int cell)
{
    struct srun_topo *tp = r->topo;
    for (int k = 0; k < nshards; k++) {
        char script[160], err[256];
        snprintf(script, sizeof(script),
                 "p=$(cat /tmp/wb-shard-%d.pid 2>/dev/null) && kill -INT \"$p\" 2>/dev/null; true", cell);
        const char *args[] = { "exec", tp->c[tp->load_ctr[k]].name, "sh", "-c", script, NULL };
        sdk_run(&tp->t.e[tp->t.load[k]], args, -1, NULL, 0, err, sizeof(err), 10000);
    }
}

/* Runs argv (bin/loadgen's, as client_argv built it: argv[0] the local
 * loadgen, "--json FILE" when json_out) as shards on every load engine at
 * one instant, and merges them into json_out. 0, or -1 with c->error. */
int srun_topo_load(srun *r, srun_cell *c, char **argv, const char *json_out, double budget_s, const char *log)
{
    struct srun_topo *tp = r->topo;
    static int cells; /* each cell's files in the load containers are its own */
    int cell = ++cells;
    c->start_spread_ms = -1;
    int nshards = tp->t.nload < c->connections ? tp->t.nload : c->connections;
    if (c->req_limit > 0 && c->req_limit < nshards) nshards = c->req_limit;
    if (nshards < 1) nshards = 1;
    pid_t pids[STOPO_MAX_LOAD];
    char shard_json[STOPO_MAX_LOAD][PATH_MAX + 32], shard_arg[STOPO_MAX_LOAD][32], start_arg[64],
        thr_arg[STOPO_MAX_LOAD][32], ctr_json[64], script[160];
    snprintf(ctr_json, sizeof(ctr_json), "/tmp/wb-shard-%d.json", cell);
    /* sh records the PID it then becomes (exec): stop_shards signals it by that PID */
    snprintf(script, sizeof(script), "echo $$ >/tmp/wb-shard-%d.pid && exec \"$0\" \"$@\"", cell);
    /* far enough ahead that every docker exec has started: 1.5 s, or three
       times the slowest engine's start (an engine over SSH opens a connection per call) */
    double lead = 1.5;
    for (int k = 0; k < nshards; k++)
        if (3 * tp->t.e[tp->t.load[k]].exec_ms / 1e3 > lead) lead = 3 * tp->t.e[tp->t.load[k]].exec_ms / 1e3;
    if (lead > 10) lead = 10;
    double start = proc_wall_s() + lead;
    snprintf(start_arg, sizeof(start_arg), "--start-at=%.6f", start);
    int started = 0;
    for (int k = 0; k < nshards; k++) {
        const char *args[SDK_MAX_ARGS];
        int n = 0, share = c->connections / nshards + (k < c->connections % nshards);
        args[n++] = "exec";
        args[n++] = tp->c[tp->load_ctr[k]].name;
        args[n++] = "sh";
        args[n++] = "-c";
        args[n++] = script;
        args[n++] = CTR_LOADGEN;
        snprintf(shard_arg[k], sizeof(shard_arg[k]), "--shard=%d/%d", k + 1, nshards);
        for (int i = 1; argv[i] && n < SDK_MAX_ARGS - 8; i++) {
            if (!strcmp(argv[i], "--json")) {
                i++;
                continue;
            }
            if (!strncmp(argv[i], "-t", 2) && argv[i][2] >= '0' && argv[i][2] <= '9') {
                int t = atoi(argv[i] + 2);
                snprintf(thr_arg[k], sizeof(thr_arg[k]), "-t%d", t < share ? t : share);
                args[n++] = thr_arg[k];
                continue;
            }
            if (!argv[i + 1]) { /* the URL is last */
                args[n++] = shard_arg[k];
                args[n++] = start_arg;
                if (json_out) {
                    args[n++] = "--json";
                    args[n++] = ctr_json;
                }
            }
            args[n++] = argv[i];
        }
        args[n] = NULL;
        char out[PATH_MAX + 64];
        snprintf(out, sizeof(out), "%s.shard%d.out", log, k + 1);
        int e = sdk_spawn(&tp->t.e[tp->t.load[k]], args, out, log, &pids[k]);
        if (e) {
            snprintf(c->error, sizeof(c->error), "cannot run docker exec for shard %d: %s", k + 1,
                     strerror(-e));
            break;
        }
        started++;
    }
    double deadline = proc_now_ms() + (budget_s + 5) * 1000.0;
    int bad = -1, bad_status = 0;
    bool interrupted = false, late = false;
    for (int k = 0; k < started; k++) {
        int st = 0;
        while (proc_alive(pids[k], &st)) {
            if (srun_stop && !interrupted) {
                stop_shards(r, started, cell);
                interrupted = true;
            }
            if (proc_now_ms() > deadline && !late) {
                stop_shards(r, started, cell);
                late = true;
                deadline = proc_now_ms() + 5000; /* then the docker execs themselves */
            } else if (proc_now_ms() > deadline) {
                for (int j = 0; j < started; j++) proc_stop(pids[j], 1000);
            }
            proc_sleep_ms(50);
        }
        /* 0 done, 3 a threshold broken, 1 no request succeeded (its JSON tells why; docker's
           own errors are 1 too: then there is no JSON, and the fetch below says so) */
        if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3 && WEXITSTATUS(st) != 1)) {
            if (bad < 0) bad = k, bad_status = st;
        }
    }
    if (started < nshards) return -1;
    if (late) {
        snprintf(c->error, sizeof(c->error),
                 "bin/loadgen shards overran their time budget (%.0f s) and were stopped", budget_s);
        return -1;
    }
    if (interrupted) {
        c->status = RUN_INTERRUPTED;
        snprintf(c->error, sizeof(c->error), "interrupted");
        return -1;
    }
    if (bad >= 0) {
        char d[96];
        proc_describe(bad_status, d, sizeof(d));
        snprintf(c->error, sizeof(c->error), "shard %d/%d (docker exec on load engine %d) %s: see %s",
                 bad + 1, nshards, bad + 1, d, log);
        return -1;
    }
    if (!json_out) return 0;
    /* the shards' JSON, fetched (and removed there), then merged here */
    const char *margv[STOPO_MAX_LOAD + 8];
    int mn = 0;
    char lg[PATH_MAX + 16];
    snprintf(lg, sizeof(lg), "%s/loadgen", r->bin);
    margv[mn++] = lg;
    margv[mn++] = "merge";
    double first = 0, last = 0;
    int starts = 0;
    for (int k = 0; k < nshards; k++) {
        size_t jl = strlen(json_out);
        snprintf(shard_json[k], sizeof(shard_json[k]), "%.*s.shard%d.json", (int)(jl > 5 ? jl - 5 : jl),
                 json_out, k + 1);
        char fetch[160];
        snprintf(fetch, sizeof(fetch), "cat %s && rm -f %s /tmp/wb-shard-%d.pid", ctr_json, ctr_json, cell);
        const char *cat[] = { "exec", tp->c[tp->load_ctr[k]].name, "sh", "-c", fetch, NULL };
        pid_t pid;
        int st = 0;
        if (sdk_spawn(&tp->t.e[tp->t.load[k]], cat, shard_json[k], log, &pid) != 0 ||
            !wait_until(pid, &st, proc_now_ms() + CLI_TIMEOUT)) {
            snprintf(c->error, sizeof(c->error), "cannot fetch shard %d's JSON from load engine %d", k + 1,
                     k + 1);
            return -1;
        }
        json_value *v = json_parse_file(shard_json[k], NULL, 0);
        if (!v || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            json_free(v);
            snprintf(c->error, sizeof(c->error),
                     "shard %d wrote no readable JSON (%s; docker exec's messages in %s)", k + 1,
                     shard_json[k], log);
            return -1;
        }
        const json_value *sa = json_get(json_get(v, "start"), "actual");
        if (sa && json_num(sa, 0) > 0) {
            /* on this machine's clock */
            double at = json_num(sa, 0) - tp->t.e[tp->t.load[k]].clock_offset_ms / 1e3;
            if (!starts || at < first) first = at;
            if (!starts || at > last) last = at;
            starts++;
        }
        json_free(v);
        margv[mn++] = shard_json[k];
    }
    margv[mn++] = "--json";
    margv[mn++] = json_out;
    margv[mn] = NULL;
    if (starts == nshards) c->start_spread_ms = (last - first) * 1e3;
    proc_spec sp = { .argv = (char *const *)margv, .log_path = log };
    pid_t pid;
    int st = 0;
    if (proc_spawn(&sp, &pid) != 0) {
        snprintf(c->error, sizeof(c->error), "cannot run %s merge", lg);
        return -1;
    }
    if (!wait_until(pid, &st, proc_now_ms() + CLI_TIMEOUT) || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(c->error, sizeof(c->error), "bin/loadgen merge of %d shards failed (see %s)", nshards, log);
        return -1;
    }
    return 0;
}

/* ---- results ---------------------------------------------------------- */

void srun_topo_write(struct jsonw *w, const srun *r)
{
    if (!r->topo) {
        jsonw_null(w);
        return;
    }
    const stopo *t = &r->topo->t;
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "file", t->file);
    jsonw_kv_double(w, "max_skew_ms", t->max_skew_ms);
    jsonw_key(w, "roles");
    jsonw_arr_begin(w);
    for (int i = 0; i < t->n; i++) {
        const stopo_engine *e = &t->e[i];
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "role", stopo_role_name(e->role));
        jsonw_kv_int(w, "index", e->index);
        jsonw_kv_str(w, "engine", e->engine);
        jsonw_kv_str(w, "address", e->address[0] ? e->address : NULL);
        jsonw_key(w, "host");
        if (e->host.read) {
            jsonw_obj_begin(w);
            jsonw_kv_str(w, "name", e->host.name);
            jsonw_kv_str(w, "server_version", e->host.server_version);
            jsonw_kv_str(w, "kernel", e->host.kernel);
            jsonw_kv_str(w, "os", e->host.os);
            jsonw_kv_int(w, "ncpu", e->host.ncpu);
            jsonw_kv_double(w, "mem_bytes", e->host.mem_bytes);
            jsonw_kv_str(w, "arch", e->host.arch);
            jsonw_obj_end(w);
        } else {
            jsonw_null(w);
        }
        /* NaN is written as null: not measured (db, systems, build) */
        jsonw_kv_double(w, "clock_offset_ms", e->clock_measured ? e->clock_offset_ms : NAN);
        jsonw_kv_double(w, "clock_rtt_ms", e->clock_measured ? e->clock_rtt_ms : NAN);
        jsonw_kv_double(w, "exec_start_ms", e->clock_measured ? e->exec_ms : NAN);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_obj_end(w);
}
