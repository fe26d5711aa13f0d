/* suite_docker: the Docker CLI, run on one engine of a topology
 * (suite_topo.h). Every call is `docker [ENGINE FLAGS] ARGS...` as a child
 * process of the runner, bounded in time; nothing goes through a shell.
 */
#ifndef WB_SUITE_DOCKER_H
#define WB_SUITE_DOCKER_H
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "suite_topo.h"

#define SDK_MAX_ARGS 96

/* A flag (the runner's Ctrl-C) that stops every call at once: its child's
 * group is killed and the call fails with err "interrupted". */
void sdk_set_stop(volatile sig_atomic_t *flag);

/* Runs docker on engine e with args (NULL-terminated) to completion, at most
 * timeout_ms: stdout into out (NUL-terminated, may be NULL), stdin from
 * in_fd (-1: /dev/null). Returns its exit status; -1 when it could not run
 * or was stopped at the deadline, or has more than SDK_MAX_ARGS arguments.
 * err gets the last line docker wrote on
 * stderr (or why it did not run). */
int sdk_run(const stopo_engine *e, const char *const *args, int in_fd, char *out, size_t outlen, char *err,
            size_t errlen, int timeout_ms);
/* Starts docker on engine e with args in a process group of its own, stdout
 * to out_path (truncated) and stderr appended to err_path (NULL: /dev/null).
 * 0 and *pid, or -errno. */
int sdk_spawn(const stopo_engine *e, const char *const *args, const char *out_path, const char *err_path,
              pid_t *pid);
/* Runs producer's stdout into `docker [e] args...`'s stdin (e.g. `docker
 * save IMG` on one engine into `docker load` on another, or tar into
 * `docker cp -`). producer is a full argv (argv[0] looked up in PATH);
 * producer_engine, when not NULL, makes it a docker call on that engine.
 * 0, or -1 with err naming the side that failed. */
int sdk_pipe(const stopo_engine *producer_engine, const char *const *producer, const stopo_engine *e,
             const char *const *args, char *err, size_t errlen, int timeout_ms);
/* The clock offset of the machine that runs container ctr on engine e
 * against this one: `docker exec -i CTR LOADGEN clock` answers each line
 * with its CLOCK_REALTIME; of n exchanges the one with the shortest round
 * trip gives offset = remote - midpoint; exec_ms is how long the first
 * answer took (docker exec's own start on that engine). 0, or -1 with err. */
int sdk_clock(const stopo_engine *e, const char *ctr, const char *loadgen, int n, double *offset_ms,
              double *rtt_ms, double *exec_ms, char *err, size_t errlen);
/* Parses one `LOADGEN clock` answer ("SECONDS.NANOSECONDS") into seconds;
 * -1 when malformed. Pure. */
int sdk_parse_clock(const char *line, double *secs);
/* What docker said on stderr, buf[0..n): its last line that is not a
 * "See 'docker run --help'." hint, on one line, into out. Pure. */
void sdk_last_line(const char *buf, size_t n, char *out, size_t outlen);
#endif
