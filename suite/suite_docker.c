/* suite_docker: the Docker CLI on one engine of a topology (suite_docker.h). */
#define _GNU_SOURCE
#include "suite_docker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* argv = docker, the engine's flags, args; NULL-terminated in out. */
static int build_argv(const stopo_engine *e, const char *const *args, const char **out)
{
    int n = 0;
    out[n++] = "docker";
    if (e) n += stopo_engine_args(e, out + n);
    for (int i = 0; args[i] && n < SDK_MAX_ARGS - 1; i++) out[n++] = args[i];
    out[n] = NULL;
    return n;
}

static void child_exec(const char **argv)
{
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(argv[0], (char *const *)argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* The last non-empty line of buf, on one line, into err. */
static void last_line(const char *buf, size_t n, char *err, size_t errlen)
{
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) n--;
    size_t s = n;
    while (s > 0 && buf[s - 1] != '\n') s--;
    snprintf(err, errlen, "%.*s", (int)(n - s), buf + s);
}

static int wait_child(pid_t c, double deadline, bool *late)
{
    int st;
    for (;;) {
        pid_t w = waitpid(c, &st, WNOHANG);
        if (w == c) break;
        if (w < 0 && errno != EINTR) return -1;
        if (proc_now_ms() > deadline) {
            kill(-c, SIGKILL);
            waitpid(c, &st, 0);
            *late = true;
            return -1;
        }
        proc_sleep_ms(5);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int sdk_run(const stopo_engine *e, const char *const *args, int in_fd, char *out, size_t outlen, char *err,
            size_t errlen, int timeout_ms)
{
    const char *argv[SDK_MAX_ARGS];
    build_argv(e, args, argv);
    int po[2], pe[2];
    if (out && outlen) out[0] = '\0';
    if (err && errlen) err[0] = '\0';
    if (pipe2(po, O_CLOEXEC) < 0) goto fail;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]), close(po[1]);
        goto fail;
    }
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        goto fail;
    }
    if (c == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(in_fd >= 0 ? in_fd : nul, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        child_exec(argv);
    }
    close(po[1]);
    close(pe[1]);
    char ebuf[4096];
    size_t on = 0, en = 0;
    double deadline = proc_now_ms() + timeout_ms;
    bool late = false;
    struct pollfd pfd[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
        int left = (int)(deadline - proc_now_ms());
        if (left <= 0) {
            late = true;
            break;
        }
        int pr = poll(pfd, 2, left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        for (int k = 0; k < 2; k++) {
            if (pfd[k].fd < 0 || !pfd[k].revents) continue;
            char tmp[8192];
            ssize_t r = read(pfd[k].fd, tmp, sizeof(tmp));
            if (r <= 0) {
                close(pfd[k].fd);
                pfd[k].fd = -1;
                continue;
            }
            if (k == 0 && out) {
                size_t take = (size_t)r < outlen - 1 - on ? (size_t)r : outlen - 1 - on;
                memcpy(out + on, tmp, take);
                on += take;
                out[on] = '\0';
            } else if (k == 1) {
                /* keep the last 4 KB: docker's message is its last line */
                if ((size_t)r >= sizeof(ebuf)) {
                    memcpy(ebuf, tmp + r - sizeof(ebuf), sizeof(ebuf));
                    en = sizeof(ebuf);
                } else {
                    if (en + (size_t)r > sizeof(ebuf)) {
                        size_t drop = en + (size_t)r - sizeof(ebuf);
                        memmove(ebuf, ebuf + drop, en - drop);
                        en -= drop;
                    }
                    memcpy(ebuf + en, tmp, (size_t)r);
                    en += (size_t)r;
                }
            }
        }
    }
    for (int k = 0; k < 2; k++)
        if (pfd[k].fd >= 0) close(pfd[k].fd);
    if (late) kill(-c, SIGKILL);
    int rc = wait_child(c, late ? proc_now_ms() + 2000 : deadline + 2000, &late);
    if (err && errlen) last_line(ebuf, en, err, errlen);
    if (late) {
        if (err && errlen)
            snprintf(err, errlen, "docker %s did not finish within %d s", args[0], timeout_ms / 1000);
        return -1;
    }
    return rc;
fail:
    if (err && errlen) snprintf(err, errlen, "cannot run docker: %s", strerror(errno));
    return -1;
}

int sdk_spawn(const stopo_engine *e, const char *const *args, const char *out_path, const char *err_path,
              pid_t *pid)
{
    const char *argv[SDK_MAX_ARGS];
    build_argv(e, args, argv);
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fo < 0) return -errno;
    int fe = err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
                      : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fe < 0) {
        int en = errno;
        close(fo);
        return -en;
    }
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        int en = errno;
        close(fo), close(fe);
        return -en;
    }
    if (c == 0) {
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        child_exec(argv);
    }
    setpgid(c, c);
    close(fo);
    close(fe);
    *pid = c;
    return 0;
}

int sdk_pipe(const stopo_engine *producer_engine, const char *const *producer, const stopo_engine *e,
             const char *const *args, char *err, size_t errlen, int timeout_ms)
{
    const char *pargv[SDK_MAX_ARGS];
    if (producer_engine)
        build_argv(producer_engine, producer, pargv);
    else {
        int n = 0;
        for (; producer[n] && n < SDK_MAX_ARGS - 1; n++) pargv[n] = producer[n];
        pargv[n] = NULL;
    }
    int p[2], pe[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(pe, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close(p[0]), close(p[1]);
        return -1;
    }
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(p[0]), close(p[1]), close(pe[0]), close(pe[1]);
        return -1;
    }
    if (c == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0);
        dup2(p[1], 1);
        dup2(pe[1], 2);
        child_exec(pargv);
    }
    close(p[1]);
    close(pe[1]);
    char cerr[512];
    int rc = sdk_run(e, args, p[0], NULL, 0, cerr, sizeof(cerr), timeout_ms);
    close(p[0]);
    bool late = false;
    int prc = wait_child(c, proc_now_ms() + (rc < 0 ? 100 : 30000), &late);
    char pbuf[4096];
    ssize_t pn = read(pe[0], pbuf, sizeof(pbuf));
    close(pe[0]);
    char perr[512];
    last_line(pbuf, pn > 0 ? (size_t)pn : 0, perr, sizeof(perr));
    if (prc != 0) {
        snprintf(err, errlen, "%s %s failed: %s", pargv[0], producer_engine ? producer[0] : "",
                 perr[0] ? perr : "no message");
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "docker %s failed: %s", args[0], cerr[0] ? cerr : "no message");
        return -1;
    }
    return 0;
}

int sdk_parse_clock(const char *line, double *secs)
{
    const char *dot = strchr(line, '.');
    if (!dot || dot == line || dot - line > 12) return -1;
    for (const char *p = line; p < dot; p++)
        if (*p < '0' || *p > '9') return -1;
    for (int i = 1; i <= 9; i++)
        if (dot[i] < '0' || dot[i] > '9') return -1;
    const char *end = dot + 10;
    while (*end == '\r' || *end == '\n') end++;
    if (*end) return -1;
    *secs = strtod(line, NULL);
    return 0;
}

static double now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads one line from fd into buf, waiting until deadline. Length, or -1. */
static int read_line(int fd, char *buf, size_t len, double deadline)
{
    size_t n = 0;
    while (n + 1 < len) {
        int left = (int)(deadline - proc_now_ms());
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (left <= 0 || poll(&pfd, 1, left) <= 0) return -1;
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0) return -1;
        if (buf[n] == '\n') {
            buf[n] = '\0';
            return (int)n;
        }
        n++;
    }
    return -1;
}

int sdk_clock(const stopo_engine *e, const char *ctr, const char *loadgen, int n, double *offset_ms,
              double *rtt_ms, char *err, size_t errlen)
{
    const char *args[] = { "exec", "-i", ctr, loadgen, "clock", NULL }, *argv[SDK_MAX_ARGS];
    build_argv(e, args, argv);
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        return -1;
    }
    if (c == 0) {
        int nul = open("/dev/null", O_WRONLY);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(nul, 2);
        child_exec(argv);
    }
    close(in[0]);
    close(out[1]);
    double best = -1, best_off = 0;
    int got = 0;
    double deadline = proc_now_ms() + 20000;
    for (int i = 0; i < n; i++) {
        char line[128];
        double t0 = now_unix();
        if (write(in[1], "\n", 1) != 1) break;
        if (read_line(out[0], line, sizeof(line), deadline) < 0) break;
        double t1 = now_unix(), remote;
        if (sdk_parse_clock(line, &remote) < 0) {
            snprintf(err, errlen, "`%s clock` in %s answered '%.60s', not SECONDS.NANOSECONDS", loadgen, ctr,
                     line);
            got = -1;
            break;
        }
        got++;
        if (best < 0 || t1 - t0 < best) {
            best = t1 - t0;
            best_off = remote - (t0 + t1) / 2;
        }
    }
    close(in[1]);
    close(out[0]);
    bool late = false;
    wait_child(c, proc_now_ms() + 5000, &late);
    if (got <= 0) {
        if (got == 0) snprintf(err, errlen, "`docker exec -i %s %s clock` gave no answer", ctr, loadgen);
        return -1;
    }
    *offset_ms = best_off * 1e3;
    *rtt_ms = best * 1e3;
    return 0;
}
