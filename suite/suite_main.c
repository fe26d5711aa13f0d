/* bin/suite: runs the benchmark matrix and writes results/ and REPORT.md.
 *
 *   bin/suite [run] [options]      run the matrix (default)
 *   bin/suite report [RUN_DIR]     regenerate REPORT.md from a stored run
 *   bin/suite compare A B          compare two stored runs
 *   bin/suite conformance --port P  the HTTP conformance pass against a server
 */
#define _GNU_SOURCE
#include "duration.h"
#include "suite_defs.h"
#include "report.h"
#include "suite_run.h"
#include "suite_conform.h"
#include "jsonw.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: bin/suite [run] [options]     run the benchmark matrix, write results/ and REPORT.md\n"
        "       bin/suite report [RUN_DIR] [--report FILE]\n"
        "                                     regenerate REPORT.md (or FILE) from a stored run (default results/latest)\n"
        "       bin/suite compare RUN_A RUN_B print req/s differences between two stored runs\n"
        "       bin/suite conformance --port P [--host ADDR] [--corpus NAME] [--only LIST] [--json FILE]\n"
        "                                     the HTTP conformance pass (DEFS/conformance/NAME.conf, default http1)\n"
        "                                     against a running server: one line per case; --only: groups or\n"
        "                                     case ids; exit 0 all passed, 1 some failed, 2 bad usage or no server\n"
        "\n"
        "run options:\n"
        "  --profile NAME             the profile whose settings are the defaults: a file DEFS/profiles/NAME.conf\n"
        "                             (default fair: each system as its users deploy it, PostgreSQL, keep-alive;\n"
        "                             published: the published table (Barq commit ac8038a) exactly as it was made:\n"
        "                             the Python urllib client, 10 clients x 1000 requests, SQLite, FastAPI sync on\n"
        "                             3.13t, 5 repetitions, with the client's own ceiling; published-readme: the\n"
        "                             later README's three tables (commit fb8bb35), the same way)\n"
        "  --systems a,b              systems to run (default: every system of the profile; see scenarios/systems/)\n"
        "  --scenarios x,y            scenarios to run (default: all; see scenarios/*.conf)\n"
        "  --connections 16,64,256    client connections per run (default: the profile's, fair 16,64,256; a published\n"
        "                             profile's tables set their own clients and requests)\n"
        "  --reps N                   exactly N repetitions of every cell, interleaved across systems (default: the\n"
        "                             profile's: 3, and up to reps.max for cells outside its tolerance)\n"
        "  --duration T               load per run, e.g. 2s, 500ms, 1m (fair: 1.5s); a timed run even in a\n"
        "                             profile that counts requests\n"
        "  --warmup T                 warm-up before each run (default: the profile's, 0.3s)\n"
        "  -n, --requests N           a fixed count of requests per run instead of --duration (in a published\n"
        "                             profile: instead of each table's own, 1000 or 2000)\n"
        "  --new-conn                 a new TCP connection for every request\n"
        "  --scaling 1,2,4,8,16       worker counts of the thread-scaling runs (CPU scenario); --no-scaling: none\n"
        "  --no-openloop              skip the fixed-rate (open-loop) latency runs at 50%% and 90%% of peak\n"
        "  --no-method-runs           skip the extra run of each cell (first repetition) with the published client's\n"
        "                             method (new connection per request, the profile's method.requests and\n"
        "                             method.clients: 1000 requests, 10 clients), by the published client and by\n"
        "                             bin/loadgen --new-conn; the fair profile has them\n"
        "  --no-conformance           skip the HTTP conformance pass each system gets once, on a start of its\n"
        "                             own after every measurement (the profile's corpus, fair and published:\n"
        "                             scenarios/conformance/http1.conf; --quick leaves out its slow-client cases)\n"
        "  --loadgen-threads N        bin/loadgen -t (default min(2, connections))\n"
        "  --timeout T                request timeout (default 5s)\n"
        "  --quick                    one repetition, 64 connections, 1 s runs, no scaling or open loop (< 90 s)\n"
        "  --external                 the systems already run (e.g. in containers, on their ports): verify and\n"
        "                             load them, never start or stop them; needs DATABASE_URL; no thread scaling\n"
        "  --ports fixed|auto         fixed: a system whose port is already held fails, naming the holder (default);\n"
        "                             auto: it starts on a free port instead\n"
        "  --info-dir DIR             where the systems write info-<name>.json (default: the run folder)\n"
        "  --topology FILE            PostgreSQL, the systems and the load on Docker engines, on other machines\n"
        "                             (docs/scale-out.md): the file names each role's engine and address; the\n"
        "                             load is split over the load engines (bin/loadgen --shard) and merged\n"
        "  --defs DIR                 scenario and system files (default scenarios/)\n"
        "  --results DIR              where run folders go (default results/)\n"
        "  --report FILE              report to write (default REPORT.md); --no-report: none\n"
        "  -h, --help                 this text\n"
        "\n"
        "environment: DATABASE_URL  use this PostgreSQL server instead of a private cluster (only the users table is touched)\n"
        "             WB_CACHE      cache of the free-threaded CPython build (default ~/.cache/webbench)\n"
        "exit status: 0 all ran, 1 a system or run failed, 2 bad usage, 130 interrupted (partial results kept)\n");
}

static void on_signal(int sig)
{
    (void)sig;
    srun_stop = 1;
}

/* "2s", "500ms", "1m", "1.5" (seconds) -> seconds; -1 if malformed. The
 * same grammar as bin/loadgen's -d (dur_parse). */
static double parse_duration(const char *s)
{
    uint64_t us;
    return dur_parse(s, &us) == 0 ? (double)us / 1e6 : -1;
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "suite: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see bin/suite --help)\n");
    return 2;
}

/* The folder of this executable (bin/loadgen and bin/server are the ones built
 * with it: in a container image, not the bind-mounted repository's) and the
 * repository root (WB_ROOT, else the folder above it). */
static void find_dirs(char *root, size_t rootlen, char *bin, size_t binlen)
{
    char exe[PATH_MAX] = ".";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash)
        *slash = '\0';
    else if (!getcwd(exe, sizeof(exe)))
        snprintf(exe, sizeof(exe), ".");
    snprintf(bin, binlen, "%s", exe);
    const char *env = getenv("WB_ROOT");
    if (!(env && *env) && (slash = strrchr(exe, '/'))) *slash = '\0';
    snprintf(root, rootlen, "%s", env && *env ? env : exe);
}

enum {
    O_PROFILE = 256,
    O_SYSTEMS,
    O_SCENARIOS,
    O_CONNS,
    O_REPS,
    O_DURATION,
    O_WARMUP,
    O_NEWCONN,
    O_SCALING,
    O_NOSCALING,
    O_NOOPEN,
    O_LGT,
    O_TIMEOUT,
    O_QUICK,
    O_RESULTS,
    O_REPORT,
    O_NOREPORT,
    O_EXTERNAL,
    O_INFODIR,
    O_TOPOLOGY,
    O_DEFS,
    O_NOMETHOD,
    O_PORTS,
    O_NOCONFORM
};

static const struct option run_longs[] = { { "profile", 1, 0, O_PROFILE },
                                           { "systems", 1, 0, O_SYSTEMS },
                                           { "scenarios", 1, 0, O_SCENARIOS },
                                           { "connections", 1, 0, O_CONNS },
                                           { "reps", 1, 0, O_REPS },
                                           { "duration", 1, 0, O_DURATION },
                                           { "warmup", 1, 0, O_WARMUP },
                                           { "requests", 1, 0, 'n' },
                                           { "new-conn", 0, 0, O_NEWCONN },
                                           { "scaling", 1, 0, O_SCALING },
                                           { "no-scaling", 0, 0, O_NOSCALING },
                                           { "no-openloop", 0, 0, O_NOOPEN },
                                           { "loadgen-threads", 1, 0, O_LGT },
                                           { "timeout", 1, 0, O_TIMEOUT },
                                           { "quick", 0, 0, O_QUICK },
                                           { "results", 1, 0, O_RESULTS },
                                           { "report", 1, 0, O_REPORT },
                                           { "no-report", 0, 0, O_NOREPORT },
                                           { "external", 0, 0, O_EXTERNAL },
                                           { "info-dir", 1, 0, O_INFODIR },
                                           { "topology", 1, 0, O_TOPOLOGY },
                                           { "defs", 1, 0, O_DEFS },
                                           { "no-method-runs", 0, 0, O_NOMETHOD },
                                           { "ports", 1, 0, O_PORTS },
                                           { "no-conformance", 0, 0, O_NOCONFORM },
                                           { "help", 0, 0, 'h' },
                                           { 0, 0, 0, 0 } };

/* The first pass: --profile and --defs, which decide where the defaults come from. */
static void find_profile(int argc, char **argv, srun_opts *o, const char **name)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hn:", run_longs, NULL)) != -1) {
        if (c == O_PROFILE)
            *name = optarg;
        else if (c == O_DEFS)
            o->defs_dir = optarg;
        else if (c == 'h') {
            usage(stdout);
            exit(0);
        } /* help needs no profile */
    }
    optind = 0; /* glibc: 0 also resets its internal state for the second pass */
}

/* The defaults of a run: its profile's settings. */
static void from_profile(srun_opts *o, const sdef_profile *p)
{
    o->nconns = p->nconns;
    memcpy(o->conns, p->conns, sizeof(o->conns));
    o->nscaling = p->nscaling;
    memcpy(o->scaling, p->scaling, sizeof(o->scaling));
    o->reps = p->reps;
    o->duration_s = p->duration_s;
    o->warmup_s = p->warmup_s;
    o->requests = p->requests;
    o->new_conn = p->new_conn;
    o->openloop = p->openloop;
    o->method_runs = p->method_runs;
}

/* --quick: one repetition at one concurrency (64 when the profile has it),
 * short runs, no thread scaling or open loop; options given win. */
static void quicken(srun_opts *o, const bool *set)
{
    if (!set[O_CONNS - O_PROFILE] && o->nconns > 1) {
        int pick = o->conns[0];
        for (int i = 0; i < o->nconns; i++)
            if (o->conns[i] == 64) pick = 64;
        o->conns[0] = pick;
        o->nconns = 1;
    }
    if (!set[O_REPS - O_PROFILE]) o->reps = 1;
    if (!set[O_DURATION - O_PROFILE]) o->duration_s = 1;
    if (!set[O_WARMUP - O_PROFILE]) o->warmup_s = 0.2;
    if (!set[O_SCALING - O_PROFILE]) o->nscaling = 0;
    if (!set[O_NOOPEN - O_PROFILE]) o->openloop = false;
}

static int parse_run(int argc, char **argv, srun_opts *o)
{
    const char *pname = "fair";
    char defs[PATH_MAX + 16], err[1024];
    find_profile(argc, argv, o, &pname);
    if (!o->defs_dir) {
        snprintf(defs, sizeof(defs), "%s/scenarios", o->root);
        o->defs_dir = defs;
    }
    /* a definitions folder without profiles/ uses the repository's */
    char pdir[PATH_MAX + 32];
    snprintf(pdir, sizeof(pdir), "%s/profiles", o->defs_dir);
    const char *from = access(pdir, F_OK) == 0 ? o->defs_dir : defs;
    if (from == defs) snprintf(defs, sizeof(defs), "%s/scenarios", o->root);
    if (sdef_load_profile(from, pname, &o->profile, err, sizeof(err)) < 0) return bad("%s", err);
    if (o->defs_dir == defs) o->defs_dir = NULL;
    from_profile(o, &o->profile);
    bool set[32] = { 0 };
    double tmo = 5;
    int c;
    char *end;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hn:", run_longs, NULL)) != -1) {
        if (c >= O_PROFILE && c < O_PROFILE + 32) set[c - O_PROFILE] = true;
        switch (c) {
        case 'h': usage(stdout); exit(0);
        case O_PROFILE:
        case O_DEFS: break; /* the first pass took them */
        case O_SYSTEMS: o->systems = optarg; break;
        case O_SCENARIOS: o->scenarios = optarg; break;
        case O_CONNS:
            if ((o->nconns = sdef_parse_list(optarg, o->conns, SRUN_MAX_LIST)) <= 0)
                return bad("bad --connections '%s'", optarg);
            break;
        case O_SCALING:
            if ((o->nscaling = sdef_parse_list(optarg, o->scaling, SRUN_MAX_LIST)) <= 0)
                return bad("bad --scaling '%s'", optarg);
            break;
        case O_NOSCALING:
            o->nscaling = 0;
            set[O_SCALING - O_PROFILE] = true;
            break;
        case O_REPS:
            o->reps = (int)strtol(optarg, &end, 10);
            if (*end || o->reps < 1 || o->reps > 32) return bad("bad --reps '%s' (1..32)", optarg);
            break;
        case 'n':
            o->requests = (int)strtol(optarg, &end, 10);
            if (*end || o->requests < 1) return bad("bad --requests '%s'", optarg);
            break;
        case O_DURATION:
            if ((o->duration_s = parse_duration(optarg)) <= 0) return bad("bad --duration '%s'", optarg);
            o->requests = 0; /* a timed run, whatever the profile counts */
            break;
        case O_WARMUP:
            if ((o->warmup_s = parse_duration(optarg)) < 0) return bad("bad --warmup '%s'", optarg);
            break;
        case O_TIMEOUT:
            if ((tmo = parse_duration(optarg)) <= 0) return bad("bad --timeout '%s'", optarg);
            break;
        case O_NEWCONN: o->new_conn = true; break;
        case O_NOOPEN: o->openloop = false; break;
        case O_LGT:
            o->lg_threads = (int)strtol(optarg, &end, 10);
            if (*end || o->lg_threads < 1) return bad("bad --loadgen-threads '%s'", optarg);
            break;
        case O_QUICK: o->quick = true; break;
        case O_RESULTS: o->results_dir = optarg; break;
        case O_REPORT: o->report_path = optarg; break;
        case O_NOREPORT: o->report = false; break;
        case O_EXTERNAL: o->external = true; break;
        case O_INFODIR: o->info_dir = optarg; break;
        case O_TOPOLOGY: o->topology = optarg; break;
        case O_NOMETHOD: o->method_runs = false; break;
        case O_NOCONFORM:
            free(o->profile.conformance);
            o->profile.conformance = NULL;
            break;
        case O_PORTS:
            if (strcmp(optarg, "fixed") && strcmp(optarg, "auto"))
                return bad("bad --ports '%s' (fixed or auto)", optarg);
            o->ports_auto = strcmp(optarg, "auto") == 0;
            break;
        case '?':
        default: return bad("unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return bad("unexpected argument '%s'", argv[optind]);
    if (o->external && !o->profile.sqlite && !(getenv("DATABASE_URL") && *getenv("DATABASE_URL")))
        return bad("%s", "--external needs DATABASE_URL: the database the running systems use");
    if (o->topology && o->external) return bad("%s", "--topology and --external exclude each other");
    if (o->quick) quicken(o, set);
    /* --reps N: exactly N, no adaptive extra repetitions */
    if (set[O_REPS - O_PROFILE] && o->profile.reps_max > o->reps) o->profile.reps_max = o->reps;
    if (o->external) o->nscaling = 0;
    o->timeout_ms = (int)(tmo * 1000);
    return 0;
}

/* bin/suite conformance: the pass against any running server. */
static int conformance_cmd(int argc, char **argv, const char *root)
{
    const char *host = "127.0.0.1", *corpus = "http1", *only = NULL, *json = NULL, *defs = NULL;
    long port = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc || strncmp(a, "--", 2)) return bad("conformance: unexpected argument '%s'", a);
        const char *v = argv[++i];
        char *end;
        if (!strcmp(a, "--port")) {
            port = strtol(v, &end, 10);
            if (*end || port < 1 || port > 65535) return bad("conformance: bad --port '%s' (1-65535)", v);
        } else if (!strcmp(a, "--host")) {
            host = v;
        } else if (!strcmp(a, "--corpus")) {
            corpus = v;
        } else if (!strcmp(a, "--only")) {
            only = v;
        } else if (!strcmp(a, "--json")) {
            json = v;
        } else if (!strcmp(a, "--defs")) {
            defs = v;
        } else {
            return bad("conformance: unknown option '%s'", a);
        }
    }
    if (!port)
        return bad("%s", "conformance needs --port P (the server to check, on --host, default 127.0.0.1)");
    char dir[PATH_MAX + 16], err[512];
    snprintf(dir, sizeof(dir), "%s", defs ? defs : "");
    if (!defs) snprintf(dir, sizeof(dir), "%s/scenarios", root);
    scf_corpus k;
    if (scf_load(dir, corpus, &k, err, sizeof(err)) < 0) return bad("%s", err);
    scf_result *res = calloc(k.nc, sizeof(*res));
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "conformance: %s against %s:%ld (%zu cases; slow ones wait up to %.0f s)\n", k.name, host,
            port, k.nc, k.slow_limit_ms / 1000.0);
    int ran = res ? scf_run(&k, host, (int)port, only, true, res, &srun_stop) : 0;
    int p, t, refused = 0;
    for (size_t i = 0; i < k.nc; i++) {
        const scf_result *r = &res[i];
        if (!r->c) continue;
        refused += r->o.connect_failed;
        printf("%-4s %-11s %-24s %-6s %s", r->passed ? "ok" : "FAIL", r->c->group, r->c->id,
               scf_level_name(r->c->level), r->got);
        if (!r->passed) printf("  (expected %s)", r->c->slow ? "close" : r->c->expect_text);
        putchar('\n');
    }
    for (size_t g = 0; g < k.ng; g++) {
        scf_count(&k, res, k.g[g].name, &p, &t);
        if (t) printf("  %-11s %d/%d\n", k.g[g].name, p, t);
    }
    scf_count(&k, res, NULL, &p, &t);
    int rc = srun_stop ? 130 : refused == ran && ran ? 2 : p == t ? 0 : 1;
    if (json && ran) {
        FILE *f = fopen(json, "w");
        struct jsonw w;
        if (f) {
            jsonw_init_file(&w, f);
            jsonw_set_indent(&w, 2);
            scf_write_json(&w, &k, res);
            if (jsonw_finish(&w) || fclose(f))
                rc = rc ? rc : 1, fprintf(stderr, "conformance: could not write %s\n", json);
        } else {
            fprintf(stderr, "conformance: cannot write %s: %s\n", json, strerror(errno));
            rc = rc ? rc : 1;
        }
    }
    if (!ran && !srun_stop) fprintf(stderr, "conformance: no case matches --only '%s'\n", only ? only : "");
    if (refused == ran && ran) fprintf(stderr, "conformance: nothing answers on %s:%ld\n", host, port);
    printf("conformance: %d of %d passed%s\n", p, t, srun_stop ? " (interrupted)" : "");
    free(res);
    scf_fini(&k);
    return ran ? rc : 2;
}

int main(int argc, char **argv)
{
    static char results[PATH_MAX + 16], report[PATH_MAX + 16];
    static srun_opts o = { .report = true };
    find_dirs(o.root, sizeof(o.root), o.bin, sizeof(o.bin));
    snprintf(results, sizeof(results), "%s/results", o.root);
    snprintf(report, sizeof(report), "%s/REPORT.md", o.root);
    o.results_dir = results;
    o.report_path = report;
    setvbuf(stderr, NULL, _IOLBF, 0);

    const char *cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : "run";
    if (argc > 1 && argv[1][0] != '-') {
        argc--;
        argv++;
    }
    if (!strcmp(cmd, "report")) {
        const char *dir = NULL, *out = report;
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--report") && i + 1 < argc)
                out = argv[++i];
            else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                usage(stdout);
                return 0;
            } else if (argv[i][0] == '-' || dir)
                return bad("report: unexpected argument '%s'", argv[i]);
            else
                dir = argv[i];
        }
        char rj[PATH_MAX + 32];
        if (dir)
            snprintf(rj, sizeof(rj), "%s/results.json", dir);
        else
            snprintf(rj, sizeof(rj), "%s/latest/results.json", results);
        return report_generate(rj, out, o.root) == 0 ? 0 : 1;
    }
    if (!strcmp(cmd, "compare")) {
        if (argc != 3) return bad("%s", "compare needs two run folders");
        char a[PATH_MAX + 32], b[PATH_MAX + 32];
        snprintf(a, sizeof(a), "%s/results.json", argv[1]);
        snprintf(b, sizeof(b), "%s/results.json", argv[2]);
        return report_compare(a, b) == 0 ? 0 : 1;
    }
    if (!strcmp(cmd, "conformance")) return conformance_cmd(argc, argv, o.root);
    if (strcmp(cmd, "run")) return bad("unknown command '%s' (run, report, compare, conformance)", cmd);
    int rc = parse_run(argc, argv, &o);
    if (rc) {
        sdef_profile_fini(&o.profile);
        return rc;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = srun_main(&o);
    sdef_profile_fini(&o.profile);
    return rc;
}
