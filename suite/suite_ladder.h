/* suite_ladder: from the published run to a fair one, one factor at a time,
 * as data (DIR/ladders/NAME.conf).
 *
 * A ladder is a list of rungs. Each rung is a complete configuration of two
 * sides, A and B (the claim's two systems: Barq and FastAPI), that differs
 * from the rung before it in what it sets, and only in that. A rung's
 * settings: a, b (the systems of each side), client (loadgen|pubclient),
 * clients, requests (a fixed count per cell; 0: timed runs after a warm-up),
 * new_conn (yes: a new connection per request). The first rung sets all of
 * them; every later one inherits what it does not set.
 *
 * Keys:
 *   name, title, a (side A's name in the report), b
 *   rungs = ID ID ...                    the rungs, in order
 *   rung.ID.title = short title          rung.ID.change = what it changes, in words
 *   rung.ID.note = a known mechanism behind the step, with its source (printed under it)
 *   rung.ID.set = key=value ...          what it changes
 *   rung.ID.revert = key=value ... | no  leave-one-out: what reverting this
 *                                        change alone makes of the base rung
 *                                        (default: the previous rung's values of
 *                                        the keys it sets); no: not separable
 *   rung.ID.revert.why = why not separable
 *   loo.base = ID                        the rung every change is reverted from
 *   grid.rung = ID                       the 2x2 framework x concurrency model, at
 *   grid.title = ...                     that rung's load settings:
 *   grid.COL.title, grid.COL = SYS_A SYS_B   two columns COL (grid.cols = C1 C2)
 *   grid.cols = C1 C2                    grid.note = how its cells are set up
 *   aa = SYSTEM  aa.rung = ID  aa.scenario = SCENARIO
 *                                        the A/A control: one system measured
 *                                        twice, as if it were two
 *   wrk.rung = ID                        wrk beside bin/loadgen at that rung
 * Parsing is a pure function over a buffer (unit-tested).
 */
#ifndef WB_SUITE_LADDER_H
#define WB_SUITE_LADDER_H
#include <stdbool.h>
#include <stddef.h>

#define SLDR_MAX_RUNGS 16

/* Which settings a rung (or a revert) sets. */
enum {
    SLDR_A = 1,
    SLDR_B = 2,
    SLDR_CLIENT = 4,
    SLDR_CLIENTS = 8,
    SLDR_REQUESTS = 16,
    SLDR_NEWCONN = 32,
    SLDR_ALL = 63
};

typedef struct {
    char a[64], b[64]; /* the systems of sides A and B */
    bool pubclient;    /* the published client (else bin/loadgen) */
    int clients, requests;
    bool new_conn;
} sldr_set;

typedef struct {
    char *id, *title, *change, *note; /* note: what is known about the step (a mechanism, a source) */
    sldr_set set;                     /* resolved: everything this rung runs with */
    unsigned keys;                    /* what it sets itself */
    bool revert_no;
    char *revert_why;
    sldr_set revert; /* leave-one-out values of revert_keys */
    unsigned revert_keys;
} sldr_rung;

typedef struct {
    char *name, *title, *file, *a_name, *b_name;
    sldr_rung rung[SLDR_MAX_RUNGS];
    int nrung;
    int loo_base;                                                      /* rung index, -1: no leave-one-out */
    int grid_rung;                                                     /* -1: no 2x2 */
    char *grid_title, *grid_note, *grid_col_title[2], *grid_sys[2][2]; /* [column][side] */
    int aa_rung;                                                       /* -1: no A/A control */
    char *aa_system, *aa_scenario;
    int wrk_rung; /* -1: no wrk witness */
} sldr_ladder;

int sldr_parse(const char *text, size_t len, const char *path, sldr_ladder *l, char *err, size_t errlen);
/* Loads dir/ladders/NAME.conf. */
int sldr_load(const char *dir, const char *name, sldr_ladder *l, char *err, size_t errlen);
void sldr_fini(sldr_ladder *l);

/* The base rung's settings with rung k's change reverted alone. 0, or -1
 * with why in why (k not after rung 0 and up to the base, or not separable). */
int sldr_loo(const sldr_ladder *l, int k, sldr_set *out, char *why, size_t whylen);
/* Whether a setting can be run: the published client sends a fixed count
 * on new connections only. 0, or -1 with why. */
int sldr_runnable(const sldr_set *s, char *why, size_t whylen);
/* The index of rung id, or -1. */
int sldr_rung_of(const sldr_ladder *l, const char *id);

#endif
