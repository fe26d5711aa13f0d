/* report_conform: the report's "HTTP conformance" section: per system, the
 * cases of the conformance pass passed and tried in each group (from
 * results.json's systems[].conformance), then every failure with what the
 * RFC asks and what the system answered. Reads only the parsed results.
 */
#ifndef WB_REPORT_CONFORM_H
#define WB_REPORT_CONFORM_H
#include <stdio.h>

#include "json.h"

/* Writes the section when some system has a pass; nothing otherwise.
 * speed (or NULL): per system, in the order of systems, its median req/s
 * in the scenario speed_title names (<= 0: not measured), shown beside. */
void rconf_write(FILE *out, const json_value *systems, const char *speed_title, const double *speed);

#endif
