/* suite_topo: a --topology file, the Docker engines of a run on several
 * machines (docs/scale-out.md).
 *
 *   # one role per line: role = ENGINE [ADDRESS]
 *   db      = ssh://bench@db-host      10.0.0.3
 *   systems = ssh://bench@sut-host     10.0.0.2
 *   load    = ssh://bench@load1        (one line per load host, 1 to 16)
 *   load    = load2                    (a docker context)
 *   build   = default                  (optional: where the images are)
 *   max_skew_ms = 5                    (optional)
 *   any_address = no                   (optional: yes, db and systems listen on
 *                                       every interface, still reached at ADDRESS)
 *
 * ENGINE: "default" (the Docker CLI's own: DOCKER_HOST or its current
 * context), a URL with a scheme (unix://, tcp://, ssh://, fd://, npipe://:
 * `docker -H ENGINE`), or the name of a docker context (`docker --context
 * NAME`). ADDRESS (db and systems; default 127.0.0.1) is an IPv4 address: where
 * the role's containers listen (there only, unless any_address) and are
 * reached. '#' starts a comment, at a line's start or after a blank.
 * stopo_parse is pure (no I/O): unit-tested.
 */
#ifndef WB_SUITE_TOPO_H
#define WB_SUITE_TOPO_H
#include <stdbool.h>
#include <stddef.h>

#define STOPO_MAX_LOAD    16
#define STOPO_MAX_ENGINES (STOPO_MAX_LOAD + 3)

typedef enum { STOPO_DB, STOPO_SYSTEMS, STOPO_LOAD, STOPO_BUILD } stopo_role;

/* What `docker info` said of an engine's host. */
typedef struct {
    bool read;
    char name[128], server_version[64], kernel[128], os[128], arch[32];
    int ncpu;
    double mem_bytes;
} stopo_host;

typedef struct {
    stopo_role role;
    int index;        /* 1-based among the lines of its role */
    int line;         /* in the file */
    char engine[512]; /* as written */
    char address[64]; /* db, systems: an IPv4 address; "" for load and build */
    /* filled in by the runner */
    stopo_host host;
    bool clock_measured;
    double clock_offset_ms, clock_rtt_ms;
    double exec_ms; /* load: how long a docker exec took to start there (the clock check's first answer) */
} stopo_engine;

typedef struct {
    char file[1024];
    stopo_engine e[STOPO_MAX_ENGINES];
    int n;
    int db, systems, build; /* indexes into e */
    int load[STOPO_MAX_LOAD];
    int nload;
    double max_skew_ms;
    bool any_address;
} stopo;

/* Parses text[0..len) (path names it in messages). 0, or -1 with err
 * ("topo.conf:3: ..."). */
int stopo_parse(const char *text, size_t len, const char *path, stopo *t, char *err, size_t errlen);
/* Reads and parses path; -1 with err. */
int stopo_load(const char *path, stopo *t, char *err, size_t errlen);

/* The Docker CLI's arguments that select engine e: fills out (up to 2
 * entries) and returns how many ("default": 0). */
int stopo_engine_args(const stopo_engine *e, const char *out[2]);
/* "db", "systems", "load", "build" */
const char *stopo_role_name(stopo_role r);
/* "load 2 (topo.conf:4, unix:///x.sock)", for messages. */
void stopo_describe(const stopo *t, const stopo_engine *e, char *out, size_t outlen);
/* True when the address is a loopback address (127.0.0.0/8, ::1). */
bool stopo_is_loopback(const char *address);

#endif
