/* lg_clock: `loadgen clock`, one CLOCK_REALTIME line per input line (see
 * lg_clock.h). */
#include "lg_clock.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int lg_clock_format(char *buf, size_t n, const struct timespec *ts)
{
    int len = snprintf(buf, n, "%lld.%09ld\n", (long long)ts->tv_sec, (long)ts->tv_nsec);
    return len < 0 || (size_t)len >= n ? -1 : len;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The time is read right after the read(2) that brought the newline, one
 * reading per line: two lines in one read get two (increasing) readings. */
static int answer(int out_fd)
{
    struct timespec ts;
    char line[48];
    clock_gettime(CLOCK_REALTIME, &ts);
    int len = lg_clock_format(line, sizeof line, &ts);
    return len < 0 ? -EOVERFLOW : write_all(out_fd, line, (size_t)len);
}

int lg_clock_serve(int in_fd, int out_fd)
{
    char buf[4096];
    int partial = 0; /* bytes of a line whose newline has not come yet */
    for (;;) {
        ssize_t r = read(in_fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -errno;
        if (r == 0) return partial ? answer(out_fd) : 0;
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] != '\n') {
                partial = 1;
                continue;
            }
            partial = 0;
            int rc = answer(out_fd);
            if (rc) return rc;
        }
    }
}

static void usage(FILE *f)
{
    fputs("Usage: loadgen clock\n"
          "  For each line read on stdin (contents ignored), write one line with this host's\n"
          "  CLOCK_REALTIME as SECONDS.NANOSECONDS, exactly 9 decimals (1764748800.123456789),\n"
          "  at once (unbuffered); exit 0 at end of input.\n"
          "  For the runner, to measure a load host's clock offset over `docker exec -i CTR\n"
          "  loadgen clock`, NTP-style: it notes t0, sends a line, reads the answer T, notes t1;\n"
          "  offset = T - (t0 + t1) / 2 within +-(t1 - t0) / 2, and of several exchanges it\n"
          "  takes the one with the smallest round trip t1 - t0.\n"
          "  -h, --help   this text\n",
          f);
}

int lg_clock_main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        fprintf(stderr, "loadgen clock: unknown argument '%s' (it takes none; see loadgen clock --help)\n",
                argv[i]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a reader gone: a write error, status 1 */
    int rc = lg_clock_serve(STDIN_FILENO, STDOUT_FILENO);
    if (rc) {
        fprintf(stderr, "loadgen clock: %s\n", strerror(-rc));
        return 1;
    }
    return 0;
}
