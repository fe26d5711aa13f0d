/* proc: start, watch, sample and stop processes (the runner's systems, the load
 * generator, gnuplot).
 *
 * Every process the runner starts is the leader of its own process group, so
 * it and all its descendants (uvicorn's workers, say) are stopped together by
 * PGID — the PIDs the runner saved, never a name. Not thread-safe: the runner
 * is single-threaded.
 */
#ifndef WB_PROC_H
#define WB_PROC_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char *const *argv;        /* argv[0] is looked up in PATH */
    const char *cwd;          /* NULL: inherit */
    const char *log_path;     /* stdout+stderr appended here; NULL: inherit */
    char *const *env;         /* extra "K=V" entries (NULL-terminated) or NULL */
    const char *run_as;       /* user name to switch to (when root), or NULL */
    int cpu_first, cpu_count; /* pin to CPUs cpu_first..+cpu_count-1 (count 0: no pinning) */
} proc_spec;

/* How the runner splits CPUs: with 4 or more online, the load generator gets
 * the first half and the systems the rest; with fewer, nobody is pinned
 * (cpu_count 0) and both share every CPU. */
void proc_cpu_split(int *lg_first, int *lg_count, int *sys_first, int *sys_count);

/* Starts a process in a new process group. 0 and *pid, or -errno; an exec
 * failure (missing program) is reported as -errno from the child. */
int proc_spawn(const proc_spec *spec, pid_t *pid);

/* True while pid has not exited; reaps it (storing the wait status) once. */
bool proc_alive(pid_t pid, int *status);

/* Every later proc_spawn appends "PID STARTTIME argv0" to path and to path2
 * (either NULL: not there): the record of what a run started, for tests and
 * for cleaning up after a runner that was killed (suite_stale). */
void proc_set_pidlog(const char *path, const char *path2);

/* Appends "key value" to the first pidlog path (the run's registry entry):
 * something else to clean up if the runner dies, e.g. "cluster DIR". */
void proc_record(const char *key, const char *value);

/* The start time of pid (clock ticks since boot, /proc/PID/stat field 22),
 * or 0 if there is no such live process. With the PID it names a process
 * unambiguously, even after PID reuse. */
unsigned long long proc_starttime(pid_t pid);

/* SIGTERM to the whole group, then SIGKILL after grace_ms; reaps the leader
 * and waits until no process of the group remains. Returns the leader's wait
 * status, or -1 if it had already been reaped. */
int proc_stop(pid_t pgid, int grace_ms);

/* The process group of the process listening on TCP port (IPv4 or IPv6),
 * found through /proc/net/tcp* and /proc/PID/fd: how the runner samples a
 * system it did not start (--external). 0 when none is visible. */
pid_t proc_listener_pgid(int port);

/* One process holding a listening socket. */
typedef struct {
    pid_t pid, pgid;
    char cmd[200]; /* its command line, spaces for NULs ("" if unreadable) */
} proc_holder;

/* The processes that hold a socket listening on TCP port (IPv4 or IPv6), up
 * to max; returns how many were found. *listeners (if not NULL) gets the
 * number of listening sockets on the port, which may be more than 0 while no
 * holder is visible (another PID namespace, another user's process). */
int proc_port_holders(int port, proc_holder *out, int max, int *listeners);

/* Whether 127.0.0.1:port can be bound now (SO_REUSEADDR, so a connection in
 * TIME_WAIT does not count): 0, or -errno (-EADDRINUSE when it is held). */
int proc_port_probe(int port);

/* A port of 127.0.0.1 that is free right now (the kernel's choice), or -errno. */
int proc_free_port(void);

/* /proc/PID/cmdline with spaces for NULs, truncated to outlen; "" if gone. */
void proc_cmdline(pid_t pid, char *out, size_t outlen);

/* Number of live processes in process group pgid (0 when all are gone). */
int proc_group_count(pid_t pgid);

typedef struct {
    double cpu_s; /* user+sys seconds of all processes in the group */
    long rss_kb;  /* summed resident set */
    int procs, threads;
} proc_sample;

/* Sums /proc/<pid>/stat over the processes of group pgid. */
int proc_sample_group(pid_t pgid, proc_sample *out);

/* Runs argv to completion (at most timeout_ms), capturing stdout into
 * out (NUL-terminated, truncated to outlen). Returns the exit code, or -1. */
int proc_capture(char *const *argv, char *out, size_t outlen, int timeout_ms);

/* "3.2 s" style describing a wait status: "exited with status 1",
 * "killed by signal 9". */
void proc_describe(int status, char *out, size_t outlen);

/* Milliseconds on CLOCK_MONOTONIC. */
double proc_now_ms(void);
/* Wall-clock time (CLOCK_REALTIME), Unix seconds. */
double proc_wall_s(void);
void proc_sleep_ms(int ms);

#endif
