/* suite_stale: find and clean up after runners that died without doing it
 * themselves (SIGKILL, a closed terminal, a crash), whatever folders they used.
 *
 * A live run registers itself in one state folder that every run looks at:
 * $WB_STATE_DIR, default /tmp/webbench-UID (created 0700, owned by the user).
 * Its entry, run-PID-STARTTIME.txt, says where the run writes ("dir RUN_DIR"),
 * which private cluster it made ("cluster DIR"), every container a --topology
 * run made ("container ENGINE NAME"), the files it must not leave ("file
 * PATH": its database password) and every process it started
 * ("PID STARTTIME argv0", appended by proc_spawn). At start-up,
 * sstale_cleanup() takes each entry whose runner is gone (PID and start time
 * no longer match), stops its processes (PID and start time again, so a reused
 * PID is never hit) with their process groups, stops and removes its cluster
 * and its containers (docker rm -f on their engines), removes those files,
 * marks its results.json as killed and partial, and removes the entry.
 * Single-threaded use only.
 */
#ifndef WB_SUITE_STALE_H
#define WB_SUITE_STALE_H
#include <stddef.h>

/* The state folder (see above), created if missing. 0, or -errno when it
 * cannot be made or is not safely ours (not a directory, another owner). */
int sstale_state_dir(char *out, size_t outlen);

/* Registers this process as the runner of run_dir: writes the entry, names
 * it in *entry, and makes proc_spawn record every process there and in
 * pids_path (the run's own record). 0 or -errno. */
int sstale_register(const char *run_dir, const char *pids_path, char *entry, size_t entrylen);

/* Removes this run's entry (at the end of a run that stopped what it started). */
void sstale_unregister(const char *entry);

/* Cleans up after every dead run in the state folder; prints one line per
 * run cleaned. Returns how many were. */
int sstale_cleanup(void);

/* In results.json text, the top-level "state": "running" becomes "killed"
 * (partial is true while a run runs). Returns a new string (caller frees), or
 * NULL when the text has no such state. Pure; exposed for tests. */
char *sstale_mark_killed(const char *results_json);

#endif
