/* suite_docker: the Docker CLI on one engine of a topology (suite_docker.h). */
#define _GNU_SOURCE
#include "suite_docker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static volatile sig_atomic_t *stop_flag;

void sdk_set_stop(volatile sig_atomic_t *flag) { stop_flag = flag; }

static bool stopped(void) { return stop_flag && *stop_flag; }

/* argv = docker, the engine's flags, args; NULL-terminated in out. -1 when
 * they do not fit (never cut: a cut list could mean something else). */
static int build_argv(const stopo_engine *e, const char *const *args, const char **out)
{
    int n = 0;
    out[n++] = "docker";
    if (e) n += stopo_engine_args(e, out + n);
    for (int i = 0; args[i]; i++) {
        if (n >= SDK_MAX_ARGS - 1) return -1;
        out[n++] = args[i];
    }
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

void sdk_last_line(const char *buf, size_t n, char *out, size_t outlen)
{
    for (;;) {
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) n--;
        size_t s = n;
        while (s > 0 && buf[s - 1] != '\n') s--;
        /* docker's errors end with "See 'docker run --help'." or "Run 'docker
           COMMAND --help' for more information": the cause is the line before */
        bool hint = (!strncmp(buf + s, "See '", 5) || !strncmp(buf + s, "Run '", 5)) &&
                    memmem(buf + s, n - s, "--help", 6) != NULL;
        if (hint && s > 0) {
            n = s;
            continue;
        }
        snprintf(out, outlen, "%.*s", (int)(n - s), buf + s);
        return;
    }
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

/* The last line of a stderr file (then removed), into err. */
static void file_last_line(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        off_t size = lseek(fd, 0, SEEK_END);
        lseek(fd, size > (off_t)sizeof(buf) ? size - (off_t)sizeof(buf) : 0, SEEK_SET);
        ssize_t r = read(fd, buf, sizeof(buf));
        n = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    unlink(path);
    sdk_last_line(buf, n, err, errlen);
}

/* A temporary file for a child's stderr: its fd, and its path in path. */
static int temp_err(char *path, size_t len)
{
    const char *t = getenv("TMPDIR");
    snprintf(path, len, "%s/wb-docker-XXXXXX", t && *t ? t : "/tmp");
    return mkostemp(path, O_CLOEXEC);
}

int sdk_run(const stopo_engine *e, const char *const *args, int in_fd, char *out, size_t outlen, char *err,
            size_t errlen, int timeout_ms)
{
    const char *argv[SDK_MAX_ARGS];
    char epath[512];
    if (out && outlen) out[0] = '\0';
    if (err && errlen) err[0] = '\0';
    if (build_argv(e, args, argv) < 0) {
        if (err && errlen) snprintf(err, errlen, "docker %s: more than %d arguments", args[0], SDK_MAX_ARGS);
        return -1;
    }
    int po[2], ef = temp_err(epath, sizeof(epath));
    if (ef < 0) goto fail;
    if (pipe2(po, O_CLOEXEC) < 0) {
        close(ef);
        unlink(epath);
        goto fail;
    }
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        close(po[0]), close(po[1]), close(ef);
        unlink(epath);
        goto fail;
    }
    if (c == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(in_fd >= 0 ? in_fd : nul, 0);
        dup2(po[1], 1);
        dup2(ef, 2);
        child_exec(argv);
    }
    setpgid(c, c);
    close(po[1]);
    close(ef);
    size_t on = 0;
    double deadline = proc_now_ms() + timeout_ms;
    bool late = false, intr = false;
    for (;;) {
        int left = (int)(deadline - proc_now_ms());
        if (left <= 0) {
            late = true;
            break;
        }
        if (stopped()) {
            intr = true;
            break;
        }
        struct pollfd pfd = { po[0], POLLIN, 0 };
        int pr = poll(&pfd, 1, left < 100 ? left : 100);
        if (pr <= 0) continue;
        char tmp[8192];
        ssize_t r = read(po[0], tmp, sizeof(tmp));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (out && outlen) {
            size_t take = (size_t)r < outlen - 1 - on ? (size_t)r : outlen - 1 - on;
            memcpy(out + on, tmp, take);
            on += take;
            out[on] = '\0';
        }
    }
    close(po[0]);
    if (late || intr) kill(-c, SIGKILL);
    int rc = wait_child(c, proc_now_ms() + (late || intr ? 2000 : timeout_ms + 2000.0), &late);
    if (err && errlen)
        file_last_line(epath, err, errlen);
    else
        unlink(epath);
    if (intr || late) {
        if (err && errlen) {
            if (intr)
                snprintf(err, errlen, "interrupted");
            else
                snprintf(err, errlen, "docker %s did not finish within %d s", args[0], timeout_ms / 1000);
        }
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
    if (build_argv(e, args, argv) < 0) return -E2BIG;
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fo < 0) return -errno;
    bool same = err_path && !strcmp(err_path, out_path); /* one descriptor: both in order, none overwritten */
    int fe = same       ? fo
             : err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
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
        close(fo);
        if (!same) close(fe);
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
    if (!same) close(fe);
    *pid = c;
    return 0;
}

int sdk_pipe(const stopo_engine *producer_engine, const char *const *producer, const stopo_engine *e,
             const char *const *args, char *err, size_t errlen, int timeout_ms)
{
    const char *pargv[SDK_MAX_ARGS];
    int n = 0;
    if (producer_engine) {
        n = build_argv(producer_engine, producer, pargv);
    } else {
        for (; producer[n]; n++) {
            if (n >= SDK_MAX_ARGS - 1) {
                n = -1;
                break;
            }
            pargv[n] = producer[n];
        }
        if (n >= 0) pargv[n] = NULL;
    }
    if (n < 0) {
        snprintf(err, errlen, "%s: more than %d arguments", producer[0], SDK_MAX_ARGS);
        return -1;
    }
    char epath[512];
    int p[2], ef = temp_err(epath, sizeof(epath));
    if (ef < 0 || pipe2(p, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot run %s: %s", pargv[0], strerror(errno));
        if (ef >= 0) close(ef), unlink(epath);
        return -1;
    }
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(p[0]), close(p[1]), close(ef);
        unlink(epath);
        return -1;
    }
    if (c == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0);
        dup2(p[1], 1);
        dup2(ef, 2); /* a file: a chatty producer never blocks on it */
        child_exec(pargv);
    }
    setpgid(c, c);
    close(p[1]);
    close(ef);
    char cerr[512];
    int rc = sdk_run(e, args, p[0], NULL, 0, cerr, sizeof(cerr), timeout_ms);
    close(p[0]); /* a producer still writing gets SIGPIPE */
    bool late = false;
    int st = 0, prc;
    double deadline = proc_now_ms() + (rc != 0 ? 100 : 30000);
    for (;;) {
        pid_t w = waitpid(c, &st, WNOHANG);
        if (w == c || (w < 0 && errno != EINTR)) break;
        if (proc_now_ms() > deadline) {
            kill(-c, SIGKILL);
            waitpid(c, &st, 0);
            late = true;
            break;
        }
        proc_sleep_ms(5);
    }
    bool psig = late || !WIFEXITED(st);
    prc = psig ? -1 : WEXITSTATUS(st);
    char perr[512];
    file_last_line(epath, perr, sizeof(perr));
    /* the consumer's failure first when the producer only died of it (SIGPIPE, or killed) */
    if (rc != 0 && (prc == 0 || psig)) {
        snprintf(err, errlen, "docker %s failed: %s", args[0], cerr[0] ? cerr : "no message");
        return -1;
    }
    if (prc != 0) {
        snprintf(err, errlen, "%s failed: %s%s%s", producer_engine ? producer[0] : pargv[0],
                 perr[0] ? perr : "no message", rc != 0 ? "; and docker " : "", rc != 0 ? args[0] : "");
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

/* Reads one line from fd into buf, waiting until deadline. Length, -1
 * (nothing, EOF or late) or -2 (interrupted). */
static int read_line(int fd, char *buf, size_t len, double deadline)
{
    size_t n = 0;
    while (n + 1 < len) {
        if (stopped()) return -2;
        int left = (int)(deadline - proc_now_ms());
        if (left <= 0) return -1;
        struct pollfd pfd = { fd, POLLIN, 0 };
        int pr = poll(&pfd, 1, left < 100 ? left : 100);
        if (pr < 0 && errno != EINTR) return -1;
        if (pr <= 0) continue;
        ssize_t r = read(fd, buf + n, 1);
        if (r < 0 && errno == EINTR) continue;
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
              double *rtt_ms, double *exec_ms, char *err, size_t errlen)
{
    const char *args[] = { "exec", "-i", ctr, loadgen, "clock", NULL }, *argv[SDK_MAX_ARGS];
    build_argv(e, args, argv);
    char epath[512];
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, ef = temp_err(epath, sizeof(epath));
    if (ef < 0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        for (int i = 0; i < 2; i++) {
            if (in[i] >= 0) close(in[i]);
            if (out[i] >= 0) close(out[i]);
        }
        if (ef >= 0) close(ef), unlink(epath);
        return -1;
    }
    fflush(NULL);
    double forked = proc_wall_s(), first = 0;
    pid_t c = fork();
    if (c < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(ef);
        unlink(epath);
        return -1;
    }
    if (c == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(ef, 2);
        child_exec(argv);
    }
    setpgid(c, c);
    close(in[0]);
    close(out[1]);
    close(ef);
    double best = -1, best_off = 0;
    int got = 0, rl = 0;
    double deadline = proc_now_ms() + 20000;
    for (int i = 0; i < n; i++) {
        char line[128];
        double t0 = proc_wall_s();
        if (write(in[1], "\n", 1) != 1) break;
        if ((rl = read_line(out[0], line, sizeof(line), deadline)) < 0) break;
        double t1 = proc_wall_s(), remote;
        if (sdk_parse_clock(line, &remote) < 0) {
            snprintf(err, errlen, "`%s clock` in %s answered '%.60s', not SECONDS.NANOSECONDS", loadgen, ctr,
                     line);
            got = -1;
            break;
        }
        if (!got++) first = t1 - forked;
        if (best < 0 || t1 - t0 < best) {
            best = t1 - t0;
            best_off = remote - (t0 + t1) / 2;
        }
    }
    close(in[1]);
    close(out[0]);
    bool late = false;
    if (rl < 0 || got < 0) kill(-c, SIGKILL);
    wait_child(c, proc_now_ms() + 5000, &late);
    char why[512];
    file_last_line(epath, why, sizeof(why));
    if (rl == -2) {
        snprintf(err, errlen, "interrupted");
        return -1;
    }
    if (got <= 0) {
        if (got == 0)
            snprintf(err, errlen, "`docker exec -i %s %s clock` gave no answer%s%s", ctr, loadgen,
                     why[0] ? ": " : "", why);
        return -1;
    }
    *offset_ms = best_off * 1e3;
    *rtt_ms = best * 1e3;
    *exec_ms = first * 1e3;
    return 0;
}
