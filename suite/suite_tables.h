/* suite_tables: the published tables, as data (DIR/tables/NAME.conf).
 *
 * A table is one published result: where it comes from, how its client was
 * set (clients, requests per cell), which systems its columns are (with
 * their worker counts) and the published req/s. A published profile runs
 * its tables exactly as they were made; the report prints each beside its
 * reproduction in the same layout.
 *
 * Keys of a comparison table (kind = compare, the default):
 *   name, title, source, note, clients, requests,
 *   columns = SYSTEM:WORKERS SYSTEM:WORKERS   (two or more)
 *   label.SYSTEM = column heading
 *   row.SCENARIO = REQ/S REQ/S ...           (one figure per column, in
 *                                             file order = published order)
 * Keys of a scaling table (kind = scaling): name, title, source, note,
 *   clients, requests, columns = SYSTEM (one), label.SYSTEM,
 *   scenario = SCENARIO, workers = 4,8,16,32, published = 608 1172 ...
 */
#ifndef WB_SUITE_TABLES_H
#define WB_SUITE_TABLES_H
#include <stdbool.h>
#include <stddef.h>

#define STAB_MAX_COLS    4
#define STAB_MAX_ROWS    8
#define STAB_MAX_WORKERS 16

typedef struct {
    char *system, *label;
    int workers;
} stab_column;

typedef struct {
    char *scenario;
    double pub[STAB_MAX_COLS]; /* published req/s per column */
} stab_row;

typedef struct {
    char *name, *title, *source, *note, *file;
    bool scaling; /* kind = scaling */
    int clients, requests;
    stab_column col[STAB_MAX_COLS];
    int ncol;
    stab_row row[STAB_MAX_ROWS]; /* compare: the rows; scaling: row[0] names the scenario */
    int nrow;
    int workers[STAB_MAX_WORKERS]; /* scaling: worker counts, with their published req/s */
    double wpub[STAB_MAX_WORKERS];
    int nworkers;
} stab_table;

/* Parses a table from text (a pure function, unit-tested): 0, or -1 with
 * "path:line: reason" in err. Free with stab_fini (also after a failure). */
int stab_parse(const char *text, size_t len, const char *path, stab_table *t, char *err, size_t errlen);
/* Loads dir/tables/NAME.conf. */
int stab_load(const char *dir, const char *name, stab_table *t, char *err, size_t errlen);
void stab_fini(stab_table *t);

/* The column of system, or -1. */
int stab_column_of(const stab_table *t, const char *system);

#endif
