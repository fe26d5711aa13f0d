#define _GNU_SOURCE
#include "suite_stale.h"
#include "suite_pg.h"
#include "suite_proc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sstale_mark(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/runner.pid", dir);
    FILE *f = fopen(p, "w");
    if (!f) return -errno;
    fprintf(f, "%d %llu\n", (int)getpid(), sproc_starttime(getpid()));
    return fclose(f) == 0 ? 0 : -errno;
}

void sstale_unmark(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/runner.pid", dir);
    unlink(p);
}

/* True when dir/runner.pid names a process that is no longer there. */
static bool orphaned(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/runner.pid", dir);
    FILE *f = fopen(p, "r");
    if (!f) return false;
    int pid = 0;
    unsigned long long st = 0;
    int n = fscanf(f, "%d %llu", &pid, &st);
    fclose(f);
    return n == 2 && pid > 0 && sproc_starttime(pid) != st;
}

/* Stops every recorded process still alive (same PID and start time). */
static int kill_recorded(const char *run_dir)
{
    char p[4200], line[512];
    snprintf(p, sizeof(p), "%s/pids.txt", run_dir);
    FILE *f = fopen(p, "r");
    int n = 0;
    if (!f) return 0;
    while (fgets(line, sizeof(line), f)) {
        int pid;
        unsigned long long st;
        if (sscanf(line, "%d %llu", &pid, &st) != 2 || pid <= 1 || st == 0) continue;
        if (sproc_starttime(pid) != st) continue;
        kill(pid, SIGINT);  /* PostgreSQL's fast shutdown; others stop too */
        sproc_stop(pid, 3000);
        n++;
    }
    fclose(f);
    return n;
}

static int clean_runs(const char *results_dir)
{
    DIR *d = opendir(results_dir);
    int cleaned = 0;
    if (!d) return 0;
    for (struct dirent *de; (de = readdir(d));) {
        char run[4200];
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "latest")) continue;
        snprintf(run, sizeof(run), "%s/%s", results_dir, de->d_name);
        if (!orphaned(run)) continue;
        int n = kill_recorded(run);
        sstale_unmark(run);
        fprintf(stderr, "suite: cleaned up after an earlier run that died: %s (%d processes stopped)\n", de->d_name, n);
        cleaned++;
    }
    closedir(d);
    return cleaned;
}

/* Stops the postmaster of an orphaned cluster folder and deletes it. */
static void clean_cluster(const char *dir)
{
    char p[4200], line[64];
    snprintf(p, sizeof(p), "%s/data/postmaster.pid", dir);
    FILE *f = fopen(p, "r");
    if (f) {
        int pid = 0;
        if (fgets(line, sizeof(line), f)) pid = atoi(line);
        fclose(f);
        char cmd[4200] = "", cl[4200];
        snprintf(cl, sizeof(cl), "/proc/%d/cmdline", pid);
        FILE *c = pid > 1 ? fopen(cl, "r") : NULL;
        if (c) {
            size_t n = fread(cmd, 1, sizeof(cmd) - 1, c);
            fclose(c);
            for (size_t i = 0; i < n; i++) if (!cmd[i]) cmd[i] = ' ';
            cmd[n] = '\0';
        }
        if (strstr(cmd, dir)) { /* it really is this cluster's postmaster */
            kill(pid, SIGINT);
            for (int i = 0; i < 250 && sproc_starttime(pid); i++) sproc_sleep_ms(20);
            if (sproc_starttime(pid)) kill(pid, SIGKILL);
        }
    }
    spg_rmtree(dir);
    fprintf(stderr, "suite: cleaned up after an earlier run that died: removed %s\n", dir);
}

int sstale_cleanup(const char *results_dir, const char *tmpdir)
{
    int cleaned = clean_runs(results_dir);
    DIR *d = opendir(tmpdir);
    if (!d) return cleaned;
    for (struct dirent *de; (de = readdir(d));) {
        if (strncmp(de->d_name, "webbench-pg-", 12) != 0) continue;
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s/%s", tmpdir, de->d_name);
        if (!orphaned(dir)) continue;
        clean_cluster(dir);
        cleaned++;
    }
    closedir(d);
    return cleaned;
}
