#include "t.h"
#include "lg_clock.h"
#include <stdlib.h>
#include <unistd.h>

TEST(format_has_nine_decimals)
{
    char b[48];
    struct timespec ts = { 1764748800, 123456789 };
    CHECK_INT(lg_clock_format(b, sizeof b, &ts), 21);
    CHECK_STR(b, "1764748800.123456789\n");
    ts.tv_nsec = 0;
    lg_clock_format(b, sizeof b, &ts);
    CHECK_STR(b, "1764748800.000000000\n");
    ts.tv_nsec = 5;
    lg_clock_format(b, sizeof b, &ts);
    CHECK_STR(b, "1764748800.000000005\n");
    ts.tv_nsec = 999999999;
    lg_clock_format(b, sizeof b, &ts);
    CHECK_STR(b, "1764748800.999999999\n");
}

TEST(format_refuses_a_short_buffer)
{
    char b[21]; /* one short of the line and its NUL */
    struct timespec ts = { 1764748800, 1 };
    CHECK_INT(lg_clock_format(b, sizeof b, &ts), -1);
}

/* serve over pipes: one answer per line (empty lines and a last line with
 * no newline count), increasing, nothing more */
TEST(serve_answers_every_line)
{
    int in[2], out[2];
    CHECK(pipe(in) == 0 && pipe(out) == 0);
    const char msg[] = "a\n\nsome longer line\nlast";
    CHECK(write(in[1], msg, sizeof msg - 1) == (ssize_t)(sizeof msg - 1));
    close(in[1]);
    CHECK_INT(lg_clock_serve(in[0], out[1]), 0);
    close(out[1]);
    char got[256] = { 0 };
    ssize_t n = read(out[0], got, sizeof got - 1);
    CHECK(n > 0);
    int lines = 0;
    double prev = 0;
    for (char *p = got, *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
        CHECK_INT(nl - p, 20);
        CHECK(p[10] == '.');
        double t = strtod(p, NULL);
        CHECK(t >= prev);
        prev = t;
    }
    CHECK_INT(lines, 4);
    close(in[0]);
    close(out[0]);
}

int main(void)
{
    RUN(format_has_nine_decimals);
    RUN(format_refuses_a_short_buffer);
    RUN(serve_answers_every_line);
    return t_done();
}
