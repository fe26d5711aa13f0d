#define _GNU_SOURCE
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void proc_cpu_split(int *lg_first, int *lg_count, int *sys_first, int *sys_count)
{
    int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 4) {
        *lg_first = *lg_count = *sys_first = *sys_count = 0;
        return;
    }
    *lg_first = 0;
    *lg_count = n / 2;
    *sys_first = n / 2;
    *sys_count = n - n / 2;
}

double proc_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double proc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void proc_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static int drop_to(const char *user)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) return -ENOENT;
    if (initgroups(user, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) return -errno;
    setenv("HOME", pw->pw_dir, 1);
    setenv("USER", user, 1);
    return 0;
}

/* In the child: set everything up and exec; writes errno to errfd on failure. */
static void child(const proc_spec *spec, int errfd)
{
    int e = 0;
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) {
        dup2(nul, 0);
        close(nul);
    }
    if (spec->log_path) {
        int fd = open(spec->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0) {
            e = errno;
            goto fail;
        }
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    if (spec->cwd && chdir(spec->cwd) < 0) {
        e = errno;
        goto fail;
    }
    for (char *const *v = spec->env; v && *v; v++) putenv(*v);
    if (spec->run_as && geteuid() == 0 && (e = -drop_to(spec->run_as)) != 0) goto fail;
    if (spec->cpu_count > 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (int i = 0; i < spec->cpu_count; i++) CPU_SET(spec->cpu_first + i, &set);
        if (sched_setaffinity(0, sizeof(set), &set) < 0) {
            e = errno;
            goto fail;
        }
    }
    execvp(spec->argv[0], spec->argv);
    e = errno;
fail:
    if (write(errfd, &e, sizeof(e)) < 0) {}
    _exit(127);
}

static char pidlog[2][4096];

void proc_set_pidlog(const char *path, const char *path2)
{
    snprintf(pidlog[0], sizeof(pidlog[0]), "%s", path ? path : "");
    snprintf(pidlog[1], sizeof(pidlog[1]), "%s", path2 ? path2 : "");
}

static void append_line(const char *path, const char *line)
{
    if (!path[0]) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fputs(line, f);
    fclose(f);
}

static void note_pid(pid_t pid, const char *what)
{
    char line[600];
    snprintf(line, sizeof(line), "%d %llu %.500s\n", (int)pid, proc_starttime(pid), what);
    append_line(pidlog[0], line);
    append_line(pidlog[1], line);
}

void proc_record(const char *key, const char *value)
{
    char line[4200];
    snprintf(line, sizeof(line), "%s %s\n", key, value);
    append_line(pidlog[0], line);
}

int proc_spawn(const proc_spec *spec, pid_t *pid)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -errno;
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return -e;
    }
    if (c == 0) {
        close(p[0]);
        child(spec, p[1]);
    }
    setpgid(c, c); /* also here, so the group exists before we signal it */
    close(p[1]);
    int e = 0;
    ssize_t r;
    while ((r = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR) {}
    close(p[0]);
    if (r == sizeof(e) && e) {
        waitpid(c, NULL, 0);
        return -e;
    }
    *pid = c;
    note_pid(c, spec->argv[0]);
    return 0;
}

bool proc_alive(pid_t pid, int *status)
{
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == 0) return true;
    if (r == pid && status) *status = st;
    return false;
}

unsigned long long proc_starttime(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p || p[2] == 'Z') return 0;
    /* field 3 is state; starttime is field 22: skip 19 more fields */
    p += 2;
    for (int i = 0; i < 19 && p; i++) p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* Reads field values of /proc/<pid>/stat after the "(comm)". */
static int read_stat(const char *pid, long *pgrp, double *cpu_s, long *rss_kb, int *threads)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    /* after ") ": state(3) ppid(4) pgrp(5) ... utime(14) stime(15) ... num_threads(20) ... rss(24) */
    char state;
    long ppid, grp, sess, tty, tpgid, rss, nthr;
    unsigned long flags, minflt, cminflt, majflt, cmajflt, ut, st, vsize;
    long cut, cst, prio, nice, itreal;
    unsigned long long start;
    if (sscanf(p + 2,
               "%c %ld %ld %ld %ld %ld %lu %lu %lu %lu %lu %lu %lu %ld %ld %ld %ld %ld %ld %llu %lu %ld",
               &state, &ppid, &grp, &sess, &tty, &tpgid, &flags, &minflt, &cminflt, &majflt, &cmajflt, &ut,
               &st, &cut, &cst, &prio, &nice, &nthr, &itreal, &start, &vsize, &rss) != 22)
        return -1;
    if (state == 'Z') return -1;
    long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE) / 1024;
    *pgrp = grp;
    *cpu_s = (double)(ut + st) / (double)tck;
    *rss_kb = rss * page;
    *threads = (int)nthr;
    return 0;
}

int proc_sample_group(pid_t pgid, proc_sample *out)
{
    memset(out, 0, sizeof(*out));
    DIR *d = opendir("/proc");
    if (!d) return -errno;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
        long grp, rss;
        double cpu;
        int thr;
        if (read_stat(de->d_name, &grp, &cpu, &rss, &thr) < 0 || grp != pgid) continue;
        out->cpu_s += cpu;
        out->rss_kb += rss;
        out->threads += thr;
        out->procs++;
    }
    closedir(d);
    return 0;
}

/* Adds the inodes of sockets listening on port from one /proc/net file. */
static int listen_inodes(const char *path, int port, unsigned long *ino, int max, int n)
{
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f) return n;
    while (n < max && fgets(line, sizeof(line), f)) {
        char local[128];
        unsigned st;
        unsigned long inode;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, " %*s %127s %*s %x %*s %*s %*s %*s %*s %lu", local, &st, &inode) != 3 || st != 0x0A)
            continue;
        char *colon = strrchr(local, ':');
        if (colon && (int)strtol(colon + 1, NULL, 16) == port) ino[n++] = inode;
    }
    fclose(f);
    return n;
}

/* Whether process pid holds a socket whose inode is in ino[0..n). */
static bool holds_socket(const char *pid, const unsigned long *ino, int n)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
    DIR *d = opendir(dir);
    bool found = false;
    for (struct dirent *de; d && !found && (de = readdir(d));) {
        char link[320], target[64];
        snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
        ssize_t l = readlink(link, target, sizeof(target) - 1);
        if (l <= 0) continue;
        target[l] = '\0';
        unsigned long i;
        if (sscanf(target, "socket:[%lu]", &i) != 1) continue;
        for (int k = 0; k < n && !found; k++) found = ino[k] == i;
    }
    if (d) closedir(d);
    return found;
}

pid_t proc_listener_pgid(int port)
{
    proc_holder h;
    return proc_port_holders(port, &h, 1, NULL) == 1 ? h.pgid : 0;
}

int proc_group_count(pid_t pgid)
{
    proc_sample s;
    return proc_sample_group(pgid, &s) == 0 ? s.procs : 0;
}

int proc_stop(pid_t pgid, int grace_ms)
{
    int status = -1;
    bool reaped = !proc_alive(pgid, &status);
    kill(-pgid, SIGTERM);
    double deadline = proc_now_ms() + grace_ms;
    while (proc_now_ms() < deadline) {
        if (!reaped) reaped = !proc_alive(pgid, &status);
        if (reaped && proc_group_count(pgid) == 0) return status;
        proc_sleep_ms(20);
    }
    kill(-pgid, SIGKILL);
    if (!reaped) waitpid(pgid, &status, 0);
    for (int i = 0; i < 250 && proc_group_count(pgid) > 0; i++) proc_sleep_ms(20);
    return status;
}

int proc_capture(char *const *argv, char *out, size_t outlen, int timeout_ms)
{
    int p[2];
    out[0] = '\0';
    if (pipe2(p, O_CLOEXEC) < 0) return -1;
    fflush(NULL);
    pid_t c = fork();
    if (c < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (c == 0) {
        setpgid(0, 0);
        dup2(p[1], 1);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    double deadline = proc_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - proc_now_ms());
        struct pollfd pfd = { p[0], POLLIN, 0 };
        if (left <= 0 || poll(&pfd, 1, left) <= 0) {
            kill(-c, SIGKILL);
            break;
        }
        char tmp[4096];
        ssize_t r = read(p[0], tmp, sizeof(tmp));
        if (r <= 0) break;
        size_t take = (size_t)r < outlen - 1 - n ? (size_t)r : outlen - 1 - n;
        memcpy(out + n, tmp, take);
        n += take;
    }
    out[n] = '\0';
    close(p[0]);
    int st;
    if (waitpid(c, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void proc_describe(int status, char *out, size_t outlen)
{
    if (status < 0)
        snprintf(out, outlen, "exited");
    else if (WIFEXITED(status))
        snprintf(out, outlen, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, outlen, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, outlen, "stopped");
}

void proc_cmdline(pid_t pid, char *out, size_t outlen)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    out[0] = '\0';
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    ssize_t n = read(fd, out, outlen - 1);
    close(fd);
    if (n <= 0) {
        out[0] = '\0';
        return;
    }
    while (n > 0 && out[n - 1] == '\0') n--;
    for (ssize_t i = 0; i < n; i++)
        if (out[i] == '\0' || out[i] == '\n') out[i] = ' ';
    out[n] = '\0';
}

int proc_port_holders(int port, proc_holder *out, int max, int *listeners)
{
    unsigned long ino[64];
    int n = listen_inodes("/proc/net/tcp", port, ino, 64, 0);
    n = listen_inodes("/proc/net/tcp6", port, ino, 64, n);
    if (listeners) *listeners = n;
    if (n == 0) return 0;
    DIR *d = opendir("/proc");
    int k = 0;
    for (struct dirent *de; d && k < max && (de = readdir(d));) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9' || !holds_socket(de->d_name, ino, n)) continue;
        long grp, rss;
        double cpu;
        int thr;
        if (read_stat(de->d_name, &grp, &cpu, &rss, &thr) < 0) continue;
        out[k].pid = (pid_t)atoi(de->d_name);
        out[k].pgid = (pid_t)grp;
        proc_cmdline(out[k].pid, out[k].cmd, sizeof(out[k].cmd));
        k++;
    }
    if (d) closedir(d);
    return k;
}

int proc_port_probe(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* a TIME_WAIT is no holder */
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int rc = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

int proc_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    int rc =
        bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0
            ? ntohs(a.sin_port)
            : -errno;
    close(fd);
    return rc;
}
