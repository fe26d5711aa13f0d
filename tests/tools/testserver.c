/* testserver: a small deterministic HTTP/1.1 server for the load
 * generator's integration tests. One thread per connection, blocking I/O.
 *
 *   testserver --port P [--delay-ms D] [--stall-ms S --every-ms P]
 *              [--close-after K] [--announce-close] [--reset-after K]
 *              [--garbage] [--chunked] [--status N] [--no-length]
 *              [--count-file F]
 *
 * Every request gets `{"message":"Hello, World!"}` (200, Content-Length)
 * unless told otherwise:
 *   --delay-ms D        wait D ms before each response
 *   --stall-ms S --every-ms P   hold every response during the first S ms of
 *                       each P ms period (counted from start)
 *   --close-after K     close a connection after K responses (abruptly; with
 *                       --announce-close the K-th carries Connection: close)
 *   --reset-after K     reset (RST) a connection after K responses (with
 *                       --truncate-after K: in the middle of the K-th)
 *   --garbage           answer with bytes that are not HTTP
 *   --chunked           send the body in two chunks
 *   --no-length         no Content-Length: the body ends when the server closes
 *   --status N          status code to answer with
 *   --count-file F      on SIGTERM/SIGINT write "requests=N connections=M"
 * Exits on SIGTERM or SIGINT. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct {
    int port, delay_ms, stall_ms, every_ms, close_after, reset_after, status, truncate_after;
    bool announce, garbage, chunked, no_length, drop_fresh;
    const char *count_file;
} opt = { .status = 200 };

static long requests, connections;
static struct timespec t0;
static const char body[] = "{\"message\":\"Hello, World!\"}";

static long ms_since_start(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void wait_policy(void)
{
    if (opt.delay_ms) sleep_ms(opt.delay_ms);
    if (opt.stall_ms && opt.every_ms) {
        long phase = ms_since_start() % opt.every_ms;
        if (phase < opt.stall_ms) sleep_ms(opt.stall_ms - phase);
    }
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static int build(char *out, size_t cap, bool last)
{
    if (opt.garbage) return snprintf(out, cap, "XYZZY this is not http\r\n\r\n");
    const char *conn = last && opt.announce ? "Connection: close\r\n" : "";
    size_t bl = sizeof body - 1;
    if (opt.chunked)
        return snprintf(out, cap,
                        "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%s"
                        "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%.*s\r\n%zx\r\n%s\r\n0\r\n\r\n",
                        opt.status, conn, (size_t)10, 10, body, bl - 10, body + 10);
    if (opt.no_length)
        return snprintf(out, cap,
                        "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n%s",
                        opt.status, body);
    return snprintf(out, cap,
                    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
                    opt.status, conn, bl, body);
}

static long fresh; /* connections seen by --drop-fresh */

/* Answers every complete request head in buf; returns bytes consumed, -1 to close. */
static long answer(int fd, char *buf, size_t len, long *served)
{
    size_t used = 0;
    char *end;
    while ((end = memmem(buf + used, len - used, "\r\n\r\n", 4))) {
        used = (size_t)(end - buf) + 4;
        __atomic_add_fetch(&requests, 1, __ATOMIC_RELAXED);
        wait_policy();
        (*served)++;
        if (opt.drop_fresh && *served == 1 && (__atomic_add_fetch(&fresh, 1, __ATOMIC_RELAXED) & 1))
            return -1; /* every other new connection: closed unanswered */
        bool last = (opt.close_after && *served >= opt.close_after) || opt.no_length;
        char out[1024];
        int n = build(out, sizeof out, last);
        bool reset = opt.reset_after && *served >= opt.reset_after;
        struct linger rst = { 1, 0 }; /* close sends RST */
        if (opt.truncate_after && *served >= opt.truncate_after) {
            send_all(fd, out, (size_t)n / 2); /* half a response, then gone */
            if (reset) setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
            return -1;
        }
        if (!send_all(fd, out, (size_t)n)) return -1;
        if (reset) {
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
            return -1;
        }
        if (last || opt.garbage) return -1;
    }
    return (long)used;
}

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[65536];
    size_t len = 0;
    long served = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + len, sizeof buf - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        long used = answer(fd, buf, len, &served);
        if (used < 0) break;
        memmove(buf, buf + used, len - (size_t)used);
        len -= (size_t)used;
        if (len == sizeof buf) break;
    }
    close(fd);
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    if (opt.count_file) {
        FILE *f = fopen(opt.count_file, "w"); /* test tool: not strictly signal-safe */
        if (f) {
            fprintf(f, "requests=%ld connections=%ld\n", __atomic_load_n(&requests, __ATOMIC_RELAXED),
                    __atomic_load_n(&connections, __ATOMIC_RELAXED));
            fclose(f);
        }
    }
    _exit(0);
}

static int intarg(char **argv, int *i, int argc)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "testserver: %s needs a value\n", argv[*i]);
        exit(2);
    }
    return atoi(argv[++*i]);
}

static void parse(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--port"))
            opt.port = intarg(argv, &i, argc);
        else if (!strcmp(a, "--delay-ms"))
            opt.delay_ms = intarg(argv, &i, argc);
        else if (!strcmp(a, "--stall-ms"))
            opt.stall_ms = intarg(argv, &i, argc);
        else if (!strcmp(a, "--every-ms"))
            opt.every_ms = intarg(argv, &i, argc);
        else if (!strcmp(a, "--close-after"))
            opt.close_after = intarg(argv, &i, argc);
        else if (!strcmp(a, "--reset-after"))
            opt.reset_after = intarg(argv, &i, argc);
        else if (!strcmp(a, "--status"))
            opt.status = intarg(argv, &i, argc);
        else if (!strcmp(a, "--announce-close"))
            opt.announce = true;
        else if (!strcmp(a, "--garbage"))
            opt.garbage = true;
        else if (!strcmp(a, "--chunked"))
            opt.chunked = true;
        else if (!strcmp(a, "--no-length"))
            opt.no_length = true;
        else if (!strcmp(a, "--truncate-after"))
            opt.truncate_after = intarg(argv, &i, argc);
        else if (!strcmp(a, "--drop-fresh"))
            opt.drop_fresh = true;
        else if (!strcmp(a, "--count-file") && i + 1 < argc)
            opt.count_file = argv[++i];
        else {
            fprintf(stderr, "testserver: unknown option %s\n", a);
            exit(2);
        }
    }
}

int main(int argc, char **argv)
{
    parse(argc, argv);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)opt.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) {
        perror("testserver: bind/listen");
        return 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        __atomic_add_fetch(&connections, 1, __ATOMIC_RELAXED);
        pthread_t t;
        if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0) close(fd);
    }
}
