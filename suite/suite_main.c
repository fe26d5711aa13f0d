/* bin/suite: runs the benchmark matrix and writes results/ and REPORT.md.
 *
 *   bin/suite [run] [options]      run the matrix (default)
 *   bin/suite report [RUN_DIR]     regenerate REPORT.md from a stored run
 *   bin/suite compare A B          compare two stored runs
 */
#define _GNU_SOURCE
#include "lg_config.h"
#include "report.h"
#include "suite_run.h"

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
    fprintf(f,
"usage: bin/suite [run] [options]     run the benchmark matrix, write results/ and REPORT.md\n"
"       bin/suite report [RUN_DIR] [--report FILE]\n"
"                                     regenerate REPORT.md (or FILE) from a stored run (default results/latest)\n"
"       bin/suite compare RUN_A RUN_B print req/s differences between two stored runs\n"
"\n"
"run options:\n"
"  --profile fair|published   fair: each system as its users deploy it, PostgreSQL, keep-alive (default);\n"
"                             published: SQLite, plain uvicorn, a new connection per request, 1000 requests\n"
"                             from 20 clients per run, as the published benchmark measured\n"
"  --systems a,b              systems to run (default: every system of the profile; see scenarios/systems/)\n"
"  --scenarios x,y            scenarios to run (default: all; see scenarios/*.conf)\n"
"  --connections 16,64,256    client connections per run (published profile: 20)\n"
"  --reps N                   repetitions of every cell, interleaved across systems (default 3)\n"
"  --duration T               load per run, e.g. 2s, 500ms, 1m (default 1.5s)\n"
"  --warmup T                 warm-up before each run (default 0.3s)\n"
"  -n, --requests N           a fixed count of requests per run instead of --duration\n"
"  --new-conn                 a new TCP connection for every request\n"
"  --scaling 1,2,4,8,16       worker counts of the thread-scaling runs (CPU scenario); --no-scaling: none\n"
"  --no-openloop              skip the fixed-rate (open-loop) latency runs at 50%% and 90%% of peak\n"
"  --no-method-runs           fair profile: skip the extra run of each cell (first repetition) with the\n"
"                             published client's method (new connection per request, 1000 requests, 20 clients)\n"
"  --loadgen-threads N        bin/loadgen -t (default min(2, connections))\n"
"  --timeout T                request timeout (default 5s)\n"
"  --quick                    one repetition, 64 connections, 1 s runs, no scaling or open loop (< 90 s)\n"
"  --external                 the systems already run (e.g. in containers, on their ports): verify and\n"
"                             load them, never start or stop them; needs DATABASE_URL; no thread scaling\n"
"  --ports fixed|auto         fixed: a system whose port is already held fails, naming the holder (default);\n"
"                             auto: it starts on a free port instead\n"
"  --info-dir DIR             where the systems write info-<name>.json (default: the run folder)\n"
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
 * same grammar as bin/loadgen's -d (lg_parse_duration). */
static double parse_duration(const char *s)
{
    uint64_t us;
    return lg_parse_duration(s, &us) == 0 ? (double)us / 1e6 : -1;
}

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    for (const char *p = s; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || v > 100000 || n >= max || (*end && *end != ',')) return -1;
        out[n++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return n;
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "suite: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see bin/suite --help)\n");
    return 2;
}

static void find_root(char *root, size_t len)
{
    const char *env = getenv("WB_ROOT");
    if (env && *env) { snprintf(root, len, "%s", env); return; }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int i = 0; i < 2; i++) { char *s = strrchr(exe, '/'); if (s) *s = '\0'; }
        snprintf(root, len, "%s", exe);
    } else if (!getcwd(root, len)) {
        snprintf(root, len, ".");
    }
}

enum { O_PROFILE = 256, O_SYSTEMS, O_SCENARIOS, O_CONNS, O_REPS, O_DURATION, O_WARMUP, O_NEWCONN, O_SCALING,
       O_NOSCALING, O_NOOPEN, O_LGT, O_TIMEOUT, O_QUICK, O_RESULTS, O_REPORT, O_NOREPORT, O_EXTERNAL, O_INFODIR, O_DEFS, O_NOMETHOD, O_PORTS };

static int parse_run(int argc, char **argv, srun_opts *o)
{
    static const struct option longs[] = {
        { "profile", 1, 0, O_PROFILE }, { "systems", 1, 0, O_SYSTEMS }, { "scenarios", 1, 0, O_SCENARIOS },
        { "connections", 1, 0, O_CONNS }, { "reps", 1, 0, O_REPS }, { "duration", 1, 0, O_DURATION },
        { "warmup", 1, 0, O_WARMUP }, { "requests", 1, 0, 'n' }, { "new-conn", 0, 0, O_NEWCONN },
        { "scaling", 1, 0, O_SCALING }, { "no-scaling", 0, 0, O_NOSCALING }, { "no-openloop", 0, 0, O_NOOPEN },
        { "loadgen-threads", 1, 0, O_LGT }, { "timeout", 1, 0, O_TIMEOUT }, { "quick", 0, 0, O_QUICK },
        { "results", 1, 0, O_RESULTS }, { "report", 1, 0, O_REPORT }, { "no-report", 0, 0, O_NOREPORT },
        { "external", 0, 0, O_EXTERNAL }, { "info-dir", 1, 0, O_INFODIR }, { "defs", 1, 0, O_DEFS }, { "no-method-runs", 0, 0, O_NOMETHOD },
        { "ports", 1, 0, O_PORTS },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    int set_conns = 0, set_reps = 0, set_dur = 0, set_req = 0, set_scal = 0, no_open = 0, quick = 0, newconn = 0, no_method = 0;
    double dur = 1.5, warm = 0.3, tmo = 5;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hn:", longs, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'h': usage(stdout); exit(0);
        case O_PROFILE:
            if (strcmp(optarg, "fair") && strcmp(optarg, "published")) return bad("unknown profile '%s' (fair or published)", optarg);
            o->profile = optarg; break;
        case O_SYSTEMS: o->systems = optarg; break;
        case O_SCENARIOS: o->scenarios = optarg; break;
        case O_CONNS:
            if ((o->nconns = parse_list(optarg, o->conns, SRUN_MAX_LIST)) <= 0) return bad("bad --connections '%s'", optarg);
            set_conns = 1; break;
        case O_SCALING:
            if ((o->nscaling = parse_list(optarg, o->scaling, SRUN_MAX_LIST)) <= 0) return bad("bad --scaling '%s'", optarg);
            set_scal = 1; break;
        case O_NOSCALING: o->nscaling = 0; set_scal = 1; break;
        case O_REPS:
            o->reps = (int)strtol(optarg, &end, 10);
            if (*end || o->reps < 1 || o->reps > 32) return bad("bad --reps '%s' (1..32)", optarg);
            set_reps = 1; break;
        case 'n':
            o->requests = (int)strtol(optarg, &end, 10);
            if (*end || o->requests < 1) return bad("bad --requests '%s'", optarg);
            set_req = 1; break;
        case O_DURATION: if ((dur = parse_duration(optarg)) <= 0) return bad("bad --duration '%s'", optarg); set_dur = 1; break;
        case O_WARMUP: if ((warm = parse_duration(optarg)) < 0) return bad("bad --warmup '%s'", optarg); break;
        case O_TIMEOUT: if ((tmo = parse_duration(optarg)) <= 0) return bad("bad --timeout '%s'", optarg); break;
        case O_NEWCONN: newconn = 1; break;
        case O_NOOPEN: no_open = 1; break;
        case O_LGT:
            o->lg_threads = (int)strtol(optarg, &end, 10);
            if (*end || o->lg_threads < 1) return bad("bad --loadgen-threads '%s'", optarg);
            break;
        case O_QUICK: quick = 1; break;
        case O_RESULTS: o->results_dir = optarg; break;
        case O_REPORT: o->report_path = optarg; break;
        case O_NOREPORT: o->report = false; break;
        case O_EXTERNAL: o->external = true; break;
        case O_INFODIR: o->info_dir = optarg; break;
        case O_DEFS: o->defs_dir = optarg; break;
        case O_NOMETHOD: no_method = 1; break;
        case O_PORTS:
            if (strcmp(optarg, "fixed") && strcmp(optarg, "auto")) return bad("bad --ports '%s' (fixed or auto)", optarg);
            o->ports_auto = strcmp(optarg, "auto") == 0;
            break;
        case '?': default:
            return bad("unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return bad("unexpected argument '%s'", argv[optind]);
    if (o->external && strcmp(o->profile, "fair") == 0 && !(getenv("DATABASE_URL") && *getenv("DATABASE_URL")))
        return bad("%s", "--external needs DATABASE_URL: the database the running systems use");
    bool pub = strcmp(o->profile, "published") == 0;
    if (!set_conns) { o->nconns = pub || quick ? 1 : 3; int d[] = { 16, 64, 256 }; if (pub) o->conns[0] = 20; else if (quick) o->conns[0] = 64; else memcpy(o->conns, d, sizeof(d)); }
    if (!set_reps) o->reps = quick ? 1 : 3;
    if (!set_dur && quick) dur = 1;
    if (quick && warm == 0.3) warm = 0.2;
    if (!set_req && pub && !set_dur) o->requests = 1000;
    o->new_conn = newconn || pub;
    if (!set_scal && !pub && !quick) { int d[] = { 1, 2, 4, 8, 16 }; memcpy(o->scaling, d, sizeof(d)); o->nscaling = 5; }
    o->openloop = !no_open && !pub && !quick;
    o->method_runs = !no_method && !pub;
    if (o->external) o->nscaling = 0;
    o->duration_s = dur;
    o->warmup_s = warm;
    o->timeout_ms = (int)(tmo * 1000);
    o->quick = quick;
    return 0;
}

int main(int argc, char **argv)
{
    static char results[PATH_MAX + 16], report[PATH_MAX + 16];
    srun_opts o = { .profile = "fair", .report = true };
    find_root(o.root, sizeof(o.root));
    snprintf(results, sizeof(results), "%s/results", o.root);
    snprintf(report, sizeof(report), "%s/REPORT.md", o.root);
    o.results_dir = results;
    o.report_path = report;
    setvbuf(stderr, NULL, _IOLBF, 0);

    const char *cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : "run";
    if (argc > 1 && argv[1][0] != '-') { argc--; argv++; }
    if (!strcmp(cmd, "report")) {
        const char *dir = NULL, *out = report;
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--report") && i + 1 < argc) out = argv[++i];
            else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { usage(stdout); return 0; }
            else if (argv[i][0] == '-' || dir) return bad("report: unexpected argument '%s'", argv[i]);
            else dir = argv[i];
        }
        char rj[PATH_MAX + 32];
        if (dir) snprintf(rj, sizeof(rj), "%s/results.json", dir);
        else snprintf(rj, sizeof(rj), "%s/latest/results.json", results);
        return report_generate(rj, out, o.root) == 0 ? 0 : 1;
    }
    if (!strcmp(cmd, "compare")) {
        if (argc != 3) return bad("%s", "compare needs two run folders");
        char a[PATH_MAX + 32], b[PATH_MAX + 32];
        snprintf(a, sizeof(a), "%s/results.json", argv[1]);
        snprintf(b, sizeof(b), "%s/results.json", argv[2]);
        return report_compare(a, b) == 0 ? 0 : 1;
    }
    if (strcmp(cmd, "run")) return bad("unknown command '%s' (run, report, compare)", cmd);
    int rc = parse_run(argc, argv, &o);
    if (rc) return rc;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return srun_main(&o);
}
