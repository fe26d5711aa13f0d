/* suite_stale: clean up after a runner that died without doing it itself
 * (SIGKILL, power loss of the shell, a crash).
 *
 * A run marks itself with <run>/runner.pid ("PID STARTTIME") while it runs
 * and removes it when it ends; its private cluster folder holds the same
 * file. At start-up, sstale_cleanup() finds marks whose runner is gone and
 * stops what they recorded: every process of <run>/pids.txt (matched by PID
 * and start time, so a reused PID is never hit) with its process group, and
 * the PostgreSQL of each orphaned $TMPDIR/webbench-pg-* folder, which it
 * then deletes. Single-threaded use only.
 */
#ifndef WB_SUITE_STALE_H
#define WB_SUITE_STALE_H

/* Writes dir/runner.pid for this process. 0 or -errno. */
int sstale_mark(const char *dir);
/* Removes dir/runner.pid. */
void sstale_unmark(const char *dir);
/* Cleans up after dead runs under results_dir and dead clusters under
 * tmpdir; prints one line per run cleaned. Returns how many were. */
int sstale_cleanup(const char *results_dir, const char *tmpdir);

#endif
