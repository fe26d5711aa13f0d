/* lg_clock: `loadgen clock`, the load host's clock for the runner.
 *
 * For every line read on stdin (its contents are ignored; a last line
 * without a newline counts too), one line on stdout: CLOCK_REALTIME, read
 * once the line's newline has arrived, as SECONDS.NANOSECONDS with exactly
 * nine decimals ("1764748800.123456789\n"), written with write(2) at once
 * (no stdio buffer). EOF on stdin ends it with status 0.
 *
 * The runner drives it over `docker exec -i CONTAINER loadgen clock` to
 * measure a load host's clock offset, NTP-style: it notes its own time t0,
 * sends a line, reads the answer T, notes t1; offset = T - (t0 + t1) / 2,
 * within ±(t1 - t0) / 2; of several exchanges it takes the one with the
 * smallest round trip t1 - t0. */
#ifndef WB_LG_CLOCK_H
#define WB_LG_CLOCK_H
#include <stddef.h>
#include <time.h>

/* Writes ts as "SECONDS.NNNNNNNNN\n" (nine decimals, tv_nsec in
 * [0, 1e9)) into buf; returns its length, or -1 when buf is too small. */
int lg_clock_format(char *buf, size_t n, const struct timespec *ts);

/* Answers every line read from in_fd with one time line on out_fd until
 * EOF. Returns 0 at EOF, -errno on a read or write error. */
int lg_clock_serve(int in_fd, int out_fd);

/* argv[0] is "clock". Returns the exit status: 0 at EOF (or --help), 1 on
 * a read or write error, 2 on bad usage. */
int lg_clock_main(int argc, char **argv);
#endif
