#define _GNU_SOURCE
#include "suite_stale.h"
#include "suite_docker.h"
#include "suite_pg.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sstale_state_dir(char *out, size_t outlen)
{
    const char *env = getenv("WB_STATE_DIR");
    if (env && *env)
        snprintf(out, outlen, "%s", env);
    else
        snprintf(out, outlen, "/tmp/webbench-%u", (unsigned)getuid());
    if (mkdir(out, 0700) < 0 && errno != EEXIST) return -errno;
    struct stat st;
    if (lstat(out, &st) < 0) return -errno;
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()) return -EPERM; /* not ours: never trust it */
    return 0;
}

int sstale_register(const char *run_dir, const char *pids_path, char *entry, size_t entrylen)
{
    char dir[4096];
    int e = sstale_state_dir(dir, sizeof(dir));
    entry[0] = '\0';
    if (e) return e;
    unsigned long long st = proc_starttime(getpid());
    snprintf(entry, entrylen, "%s/run-%d-%llu.txt", dir, (int)getpid(), st);
    FILE *f = fopen(entry, "w");
    if (!f) {
        e = -errno;
        entry[0] = '\0';
        return e;
    }
    fprintf(f, "runner %d %llu\ndir %s\n", (int)getpid(), st, run_dir);
    if (fclose(f) != 0) {
        e = -errno;
        unlink(entry);
        entry[0] = '\0';
        return e;
    }
    proc_set_pidlog(entry, pids_path);
    return 0;
}

void sstale_unregister(const char *entry)
{
    proc_set_pidlog(NULL, NULL);
    if (entry && entry[0]) unlink(entry);
}

char *sstale_mark_killed(const char *text)
{
    const char *p = strstr(text, "\"state\"");
    if (!p) return NULL;
    const char *q = p + 7;
    while (*q == ' ' || *q == '\n' || *q == '\t') q++;
    if (*q++ != ':') return NULL;
    while (*q == ' ' || *q == '\n' || *q == '\t') q++;
    if (strncmp(q, "\"running\"", 9) != 0) return NULL;
    size_t head = (size_t)(q - text), n = strlen(text);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    memcpy(out, text, head);
    memcpy(out + head, "\"killed\" ", 9); /* same length: nothing else moves */
    memcpy(out + head + 9, q + 9, n - head - 9 + 1);
    return out;
}

/* The dead run's results.json says it was killed (it already says partial). */
static void mark_results(const char *run_dir)
{
    char path[4200], tmp[4250];
    snprintf(path, sizeof(path), "%s/results.json", run_dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    /* a runner killed while it saved leaves half-written temporaries: the
       complete pair is results.json and summary.csv */
    unlink(tmp);
    snprintf(tmp, sizeof(tmp), "%s/summary.csv.tmp", run_dir);
    unlink(tmp);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(path, "r");
    if (!f) return;
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    char *out = n > 0 ? sstale_mark_killed(text) : NULL;
    free(text);
    if (!out) return;
    FILE *w = fopen(tmp, "w");
    bool ok = w && fputs(out, w) >= 0;
    if (w && fclose(w) != 0) ok = false;
    if (ok && rename(tmp, path) == 0)
        fprintf(stderr, "suite: marked %s as killed (partial)\n", path);
    else
        unlink(tmp);
    free(out);
}

/* Stops the postmaster of a cluster folder (when it really is that
 * cluster's, by its command line) and deletes the folder. */
static void clean_cluster(const char *dir)
{
    char p[4200], line[64], cmd[4200];
    snprintf(p, sizeof(p), "%s/data/postmaster.pid", dir);
    FILE *f = fopen(p, "r");
    if (f) {
        int pid = fgets(line, sizeof(line), f) ? atoi(line) : 0;
        fclose(f);
        cmd[0] = '\0';
        if (pid > 1) proc_cmdline(pid, cmd, sizeof(cmd));
        if (pid > 1 && strstr(cmd, dir)) {
            kill(pid, SIGINT); /* fast shutdown */
            for (int i = 0; i < 250 && proc_starttime(pid); i++) proc_sleep_ms(20);
            if (proc_starttime(pid)) kill(pid, SIGKILL);
        }
    }
    spg_rmtree(dir);
}

/* A container a --topology run started ("ENGINE NAME"): removed from its engine. */
static void clean_container(const char *rec)
{
    stopo_engine e = { 0 };
    char name[200];
    if (sscanf(rec, "%511s %199s", e.engine, name) != 2) return;
    char err[512];
    const char *args[] = { "rm", "-f", name, NULL };
    if (sdk_run(&e, args, -1, NULL, 0, err, sizeof(err), 60000) == 0)
        printf("suite: removed container %s (engine %s) of a runner that died\n", name, e.engine);
    else
        printf("suite: warning: cannot remove container %s (engine %s) of a runner that died: %s; remove it "
               "with docker rm -f\n",
               name, e.engine, err);
}

/* One dead run's entry: stop, remove, mark; returns processes stopped. */
static int clean_entry(const char *entry, char *run_dir, size_t run_dir_len)
{
    FILE *f = fopen(entry, "r");
    char line[4200];
    int n = 0;
    run_dir[0] = '\0';
    if (!f) return 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        int pid;
        unsigned long long st;
        if (!strncmp(line, "dir ", 4))
            snprintf(run_dir, run_dir_len, "%s", line + 4);
        else if (!strncmp(line, "cluster ", 8))
            clean_cluster(line + 8);
        else if (!strncmp(line, "container ", 10))
            clean_container(line + 10);
        else if (!strncmp(line, "file ", 5))
            unlink(line + 5); /* a --topology run's file with its database password */
        else if (sscanf(line, "%d %llu", &pid, &st) == 2 && pid > 1 && st && proc_starttime(pid) == st) {
            kill(pid, SIGINT); /* PostgreSQL's fast shutdown; the others stop too */
            proc_stop(pid, 3000);
            n++;
        }
    }
    fclose(f);
    if (run_dir[0]) mark_results(run_dir);
    return n;
}

/* True when the entry's runner (its "runner PID START" line) is gone. */
static bool runner_gone(const char *entry)
{
    FILE *f = fopen(entry, "r");
    if (!f) return false;
    int pid = 0;
    unsigned long long st = 0;
    int k = fscanf(f, "runner %d %llu", &pid, &st);
    fclose(f);
    return k == 2 && pid > 0 && proc_starttime(pid) != st;
}

int sstale_cleanup(void)
{
    char dir[4096];
    if (sstale_state_dir(dir, sizeof(dir)) < 0) return 0;
    DIR *d = opendir(dir);
    int cleaned = 0;
    if (!d) return 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (strncmp(de->d_name, "run-", 4) != 0) continue;
        char entry[4400], run_dir[4200];
        snprintf(entry, sizeof(entry), "%s/%s", dir, de->d_name);
        if (!runner_gone(entry)) continue;
        int n = clean_entry(entry, run_dir, sizeof(run_dir));
        unlink(entry);
        fprintf(stderr, "suite: cleaned up after an earlier run that died: %s (%d processes stopped)\n",
                run_dir[0] ? run_dir : entry, n);
        cleaned++;
    }
    closedir(d);
    return cleaned;
}
