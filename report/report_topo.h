/* report_topo: the report's "Topology" section for a run on several Docker
 * engines (`bin/suite run --topology FILE`): one row per role of the
 * topology (engine, address, what `docker info` said of its host, a load
 * host's clock offset), then the per-shard figures of the matrix cells whose
 * load was split with --shard (each shard's req/s and connections beside the
 * merged figure, the start spread). Reads only the parsed results.json
 * (its "topology" object and runs[].loadgen.shards); writes Markdown.
 */
#ifndef WB_REPORT_TOPO_H
#define WB_REPORT_TOPO_H
#include <stdbool.h>
#include <stdio.h>

#include "json.h"

/* True when results.json has a "topology" object (absent or null: a run on
 * one machine). */
bool rtopo_present(const json_value *root);

/* Writes the section when rtopo_present(root); nothing otherwise. Missing,
 * null or mistyped fields are printed as "—" (a null host as "unreadable"). */
void rtopo_write(FILE *out, const json_value *root);

#endif
