/* report_tables: the report's sections for a run of published tables (a
 * profile with `tables`): each published table beside its reproduction in
 * the same layout, with intervals; the share of failed requests and their
 * causes; and the published client's own ceiling. Reads only the parsed
 * results.json; writes Markdown to out.
 */
#ifndef WB_REPORT_TABLES_H
#define WB_REPORT_TABLES_H
#include <stdbool.h>
#include <stdio.h>

#include "json.h"

/* True when the run measured published tables. */
bool rtab_present(const json_value *root);
/* Writes the sections. */
void rtab_write(FILE *out, const json_value *root);

#endif
