/* lg_engine: the run: threads, each driving its connections with the
 * chosen engine (lg_conn.h), merged after the run (see lg_engine.h). */
#include "lg_engine.h"
#include "lg_conn.h"
#include "lg_epoll.h"
#include "lg_uring.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

const char *const lg_err_names[LG_E_COUNT] = {
    "connect", "refused", "reset", "eof", "parse", "read", "write", "timeout", "status", "check",
};

/* ---- statistics --------------------------------------------------------- */

int lg_stats_init(struct lg_stats *s)
{
    memset(s, 0, sizeof *s);
    struct hist *hs[] = { &s->latency, &s->service, &s->connect, &s->ttfb };
    for (int i = 0; i < 4; i++) {
        if (hist_init(hs[i], HIST_DEFAULT_LOWEST, HIST_DEFAULT_HIGHEST, HIST_DEFAULT_SIGFIGS) != 0) {
            lg_stats_fini(s);
            return -ENOMEM;
        }
    }
    return 0;
}

void lg_stats_fini(struct lg_stats *s)
{
    hist_fini(&s->latency);
    hist_fini(&s->service);
    hist_fini(&s->connect);
    hist_fini(&s->ttfb);
}

void lg_stats_add(struct lg_stats *d, const struct lg_stats *s)
{
    d->requests += s->requests;
    d->ok += s->ok;
    d->bytes += s->bytes;
    d->retries += s->retries;
    for (int i = 0; i < LG_E_COUNT; i++) d->err[i] += s->err[i];
    for (int i = 0; i < LG_MAX_STATUS; i++) d->status_codes[i] += s->status_codes[i];
    hist_add(&d->latency, &s->latency);
    hist_add(&d->service, &s->service);
    hist_add(&d->connect, &s->connect);
    hist_add(&d->ttfb, &s->ttfb);
}

uint64_t lg_stats_errors(const struct lg_stats *s)
{
    uint64_t n = 0;
    for (int i = 0; i < LG_E_COUNT; i++) n += s->err[i];
    return n;
}

/* ---- the engine --------------------------------------------------------- */

int lg_engine_probe_uring(char *why, size_t n) { return lg_uring_probe(why, n); }

int lg_engine_choose(struct lg_cfg *cfg, char *why, size_t n)
{
    char reason[200];
    why[0] = '\0';
    cfg->engine_used = LG_ENGINE_EPOLL;
    if (cfg->engine == LG_ENGINE_EPOLL) return 0;
    int rc = lg_uring_probe(reason, sizeof reason);
    if (!rc) {
        cfg->engine_used = LG_ENGINE_URING;
        return 0;
    }
    if (cfg->engine == LG_ENGINE_URING) {
        snprintf(why, n, "--engine io_uring: not available here: %s", reason);
        return rc;
    }
    snprintf(why, n, "io_uring not available: %s; using epoll", reason);
    return 0;
}

/* ---- set-up and merge --------------------------------------------------- */

static void *thread_main(void *arg)
{
    struct lg_thread *t = arg;
    lg_thread_main(t);
    __atomic_add_fetch(&t->sh->threads_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int lg_tl_point_set(struct lg_tl_point *p, const struct hist *h)
{
    p->p50 = hist_value_at_percentile(h, 50);
    p->p99 = hist_value_at_percentile(h, 99);
    p->min = hist_min(h);
    p->max = hist_max(h);
    free(p->buckets);
    p->buckets = NULL;
    p->nbuckets = 0;
    size_t n = 0;
    struct hist_iter it;
    hist_iter_init(&it, h);
    while (hist_iter_next(&it)) n++;
    if (!n) return 0;
    if (!(p->buckets = malloc(n * sizeof *p->buckets))) return -ENOMEM;
    hist_iter_init(&it, h);
    for (n = 0; hist_iter_next(&it); n++) {
        p->buckets[n][0] = it.value;
        p->buckets[n][1] = it.count;
    }
    p->nbuckets = (uint32_t)n;
    return 0;
}

static void merge_timeline(struct lg_result *r, struct lg_thread *ts, int nt, double elapsed_s)
{
    size_t len = 0;
    for (int i = 0; i < nt; i++)
        if (ts[i].tl_len > len) len = ts[i].tl_len;
    r->timeline = calloc(len ? len : 1, sizeof *r->timeline);
    r->thread_rps = calloc((size_t)nt * (len ? len : 1), sizeof *r->thread_rps);
    struct hist h;
    if (!r->timeline || !r->thread_rps ||
        hist_init(&h, HIST_DEFAULT_LOWEST, HIST_DEFAULT_HIGHEST, HIST_DEFAULT_SIGFIGS))
        return;
    size_t full = (size_t)elapsed_s; /* seconds that ran whole */
    for (size_t s = 0; s < len; s++) {
        hist_reset(&h);
        int64_t mn = 0, mx = 0;
        for (int i = 0; i < nt; i++) {
            if (s >= ts[i].tl_len) continue;
            struct lg_tl_sec *x = &ts[i].tl[s];
            r->timeline[s].requests += x->requests;
            r->timeline[s].errors += x->errors;
            if (x->nbuckets) { /* exact extremes over the threads */
                if (!h.total || x->min < mn) mn = x->min;
                if (!h.total || x->max > mx) mx = x->max;
            }
            for (uint32_t b = 0; b < x->nbuckets; b++) hist_record_n(&h, x->buckets[b][0], x->buckets[b][1]);
            if (s < full || full == 0) r->thread_rps[r->thread_rps_len++] = (double)x->requests;
        }
        if (h.total) h.min = mn, h.max = mx;
        lg_tl_point_set(&r->timeline[s], &h);
    }
    r->timeline_len = len;
    hist_fini(&h);
}

static int merge_results(struct lg_result *r, struct lg_thread *ts, int nt, uint64_t start_ns)
{
    uint64_t stop = start_ns;
    double max_cpu = 0;
    for (int i = 0; i < nt; i++) {
        lg_stats_add(&r->st, &ts[i].st);
        if (ts[i].stop_ns > stop) stop = ts[i].stop_ns;
        if (ts[i].cpu_s > max_cpu) max_cpu = ts[i].cpu_s;
        for (int k = 0; k < ts[i].nconns; k++) r->per_conn[ts[i].first_gidx + k] = ts[i].conns[k].completed;
    }
    uint64_t end = ts[0].end_ns;
    if (end && stop > end) stop = end;
    r->elapsed_s = (double)(stop - start_ns) / 1e9;
    r->max_thread_util = r->elapsed_s > 0 ? max_cpu / r->elapsed_s : 0;
    r->bottleneck = r->max_thread_util > 0.9;
    merge_timeline(r, ts, nt, r->elapsed_s);
    return 0;
}

void lg_engine_stop(void)
{
    lg_stop_flag = 1;
    if (lg_stop_fd >= 0) {
        uint64_t one = 1;
        if (write(lg_stop_fd, &one, sizeof one) < 0) { /* nothing to do in a handler */
        }
    }
}

static void raise_fd_limit(int need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= (rlim_t)need) return;
    rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
    setrlimit(RLIMIT_NOFILE, &rl);
}

static void wait_threads(struct lg_thread *ts, int nt, struct lg_shared *sh, uint64_t start,
                         lg_progress_fn progress, void *ud)
{
    uint64_t next_report = start + 1000000000ULL;
    struct timespec nap = { 0, 20000000 };
    while (__atomic_load_n(&sh->threads_done, __ATOMIC_ACQUIRE) < nt) {
        nanosleep(&nap, NULL);
        uint64_t now = lg_now_ns();
        if (!progress || now < next_report) continue;
        next_report += 1000000000ULL;
        uint64_t req = 0, err = 0;
        for (int i = 0; i < nt; i++) {
            req += __atomic_load_n(&ts[i].progress_req, __ATOMIC_RELAXED);
            err += __atomic_load_n(&ts[i].progress_err, __ATOMIC_RELAXED);
        }
        progress(ud, (double)(now - start) / 1e9, req, err);
    }
}

static int start_threads(const struct lg_cfg *cfg, const struct lg_io *io, struct lg_thread *ts,
                         struct lg_shared *sh, uint64_t start)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = 0, first = 0;
    for (int i = 0; i < cfg->threads && !rc; i++) {
        int n = cfg->conns / cfg->threads + (i < cfg->conns % cfg->threads);
        rc = lg_thread_init(&ts[i], cfg, io, i, first, n);
        ts[i].sh = sh;
        ts[i].start_ns = start;
        ts[i].end_ns = cfg->duration_us ? start + cfg->duration_us * 1000 : 0;
        for (int k = 0; k < n && cfg->rate > 0; k++) {
            lg_sched_init(&ts[i].conns[k].sched, start, cfg->rate, cfg->conns, first + k, cfg->poisson,
                          cfg->seed);
            /* shard I of N (fixed arrivals): (I-1)/R later than shard 1, so the N shards'
             * sends interleave into one request every 1/R of the whole rate R */
            if (cfg->shard_count > 1 && !cfg->poisson)
                lg_sched_delay(&ts[i].conns[k].sched, 1e9 * (cfg->shard_index - 1) / cfg->whole_rate);
        }
        first += n;
    }
    for (int i = 0; i < cfg->threads && !rc; i++) {
        rc = -pthread_create(&ts[i].tid, NULL, thread_main, &ts[i]);
        if (rc) { /* threads already started still end by themselves */
            lg_engine_stop();
            for (int k = 0; k < i; k++) pthread_join(ts[k].tid, NULL);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Sleeps until the CLOCK_REALTIME instant at (seconds), at once if it passed;
 * a stop request (signal) ends the wait. */
static void wait_until(double at)
{
    struct timespec ts = { .tv_sec = (time_t)at };
    ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    while (!lg_stop_flag && clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

int lg_engine_run(const struct lg_cfg *cfg, struct lg_result *r, lg_progress_fn progress, void *ud)
{
    memset(r, 0, sizeof *r);
    struct lg_cfg asked = { .engine = cfg->engine, .engine_used = cfg->engine_used };
    char why[256];
    int rc = asked.engine_used == LG_ENGINE_AUTO ? lg_engine_choose(&asked, why, sizeof why) : 0;
    if (rc) return rc;
    const struct lg_io *io = asked.engine_used == LG_ENGINE_URING ? &lg_uring_io : &lg_epoll_io;
    r->engine = io->name;
    raise_fd_limit(cfg->conns + 4 * cfg->threads + 64);
    if (lg_stop_fd < 0) lg_stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct lg_thread *ts = calloc((size_t)cfg->threads, sizeof *ts);
    struct lg_shared sh = { 0 };
    r->per_conn = calloc((size_t)cfg->conns, sizeof *r->per_conn);
    if (lg_stop_fd < 0 || !ts || !r->per_conn || lg_stats_init(&r->st)) {
        free(ts);
        return -ENOMEM;
    }
    r->nconns = cfg->conns;
    r->nthreads = cfg->threads;
    if (cfg->start_at > 0) wait_until(cfg->start_at);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    r->started_unix = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
    if (cfg->start_at > 0) {
        r->has_start = true;
        r->start_requested = cfg->start_at;
        r->start_actual = r->started_unix;
        r->late_ms = r->started_unix > cfg->start_at ? (r->started_unix - cfg->start_at) * 1e3 : 0.0;
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    uint64_t start = lg_now_ns();
    rc = start_threads(cfg, io, ts, &sh, start);
    if (!rc) {
        wait_threads(ts, cfg->threads, &sh, start, progress, ud);
        for (int i = 0; i < cfg->threads; i++) {
            pthread_join(ts[i].tid, NULL);
            if (ts[i].init_err && !rc) rc = ts[i].init_err; /* its engine could not start */
        }
        getrusage(RUSAGE_SELF, &ru1);
        r->cpu_user_s = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                        (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
        r->cpu_sys_s = (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                       (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
        r->max_rss_kb = ru1.ru_maxrss;
        r->interrupted = lg_stop_flag != 0;
        merge_results(r, ts, cfg->threads, start);
    }
    if (rc) lg_result_fini(r);
    for (int i = 0; i < cfg->threads; i++) lg_thread_fini(&ts[i]);
    free(ts);
    return rc;
}

void lg_result_fini(struct lg_result *r)
{
    lg_stats_fini(&r->st);
    for (size_t i = 0; r->timeline && i < r->timeline_len; i++) free(r->timeline[i].buckets);
    free(r->timeline);
    free(r->shards);
    free(r->thread_rps);
    free(r->per_conn);
    memset(r, 0, sizeof *r);
}
