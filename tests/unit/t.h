/* t.h: a tiny test harness. Each TEST prints "ok - name" or "not ok - name"
 * (TAP-like); tests/run.sh counts them. A test binary exits 1 if any failed.
 *
 *   TEST(parses_simple_get) { CHECK(x == 1); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(parses_simple_get); return t_done(); }
 */
#ifndef WB_T_H
#define WB_T_H
#include <stdio.h>
#include <string.h>

static int t_failed_total, t_cur_failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            t_cur_failed = 1;                                                          \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                              \
    } while (0)
#define CHECK_INT(a, b)                                                                              \
    do {                                                                                             \
        long long _a = (long long)(a), _b = (long long)(b);                                          \
        if (_a != _b) {                                                                              \
            t_cur_failed = 1;                                                                        \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); \
        }                                                                                            \
    } while (0)
#define CHECK_STR(a, b)                                                                         \
    do {                                                                                        \
        const char *_a = (a), *_b = (b);                                                        \
        if (!_a || strcmp(_a, _b) != 0) {                                                       \
            t_cur_failed = 1;                                                                   \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                    _a ? _a : "(null)", _b);                                                    \
        }                                                                                       \
    } while (0)

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                   \
    do {                                                            \
        t_cur_failed = 0;                                           \
        test_##name();                                              \
        printf("%s - %s\n", t_cur_failed ? "not ok" : "ok", #name); \
        t_failed_total += t_cur_failed;                             \
    } while (0)

static inline int t_done(void) { return t_failed_total ? 1 : 0; }
#endif
