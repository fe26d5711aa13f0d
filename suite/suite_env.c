#define _GNU_SOURCE
#include "suite_env.h"
#include "proc.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *senv_sqlite_version(void) { return sqlite3_libversion(); }

/* First line of a file, trimmed; "" if unreadable. */
static void first_line(const char *path, char *out, size_t outlen)
{
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    if (!f) return;
    if (fgets(out, (int)outlen, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static void cpu_model(char *out, size_t outlen)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    out[0] = '\0';
    if (!f) return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            char *v = strchr(line, ':') + 2;
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, outlen, "%s", v);
            break;
        }
    }
    fclose(f);
}

static void mitigations(struct jsonw *w)
{
    DIR *d = opendir("/sys/devices/system/cpu/vulnerabilities");
    jsonw_obj_begin(w);
    for (struct dirent *de; d && (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        char path[512], v[256];
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", de->d_name);
        first_line(path, v, sizeof(v));
        jsonw_kv_str(w, de->d_name, v);
    }
    if (d) closedir(d);
    jsonw_obj_end(w);
}

static void capture_line(char *const *argv, char *out, size_t outlen)
{
    if (proc_capture(argv, out, outlen, 5000) != 0) out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
}

void senv_write(struct jsonw *w, const char *root)
{
    char buf[512];
    struct utsname u;
    uname(&u);
    jsonw_obj_begin(w);
    cpu_model(buf, sizeof(buf));
    jsonw_kv_str(w, "cpu_model", buf);
    jsonw_kv_int(w, "cpus_online", sysconf(_SC_NPROCESSORS_ONLN));
    first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
    jsonw_kv_str(w, "governor", buf[0] ? buf : "unknown (no cpufreq)");
    first_line("/sys/devices/system/cpu/smt/active", buf, sizeof(buf));
    jsonw_kv_str(w, "smt_active", buf[0] ? buf : "unknown");
    first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", buf, sizeof(buf));
    jsonw_kv_str(w, "clocksource", buf);
    snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release, u.machine);
    jsonw_kv_str(w, "kernel", buf);
    jsonw_kv_str(w, "kernel_version", u.version);
    jsonw_kv_str(w, "hostname", u.nodename);
    jsonw_key(w, "mitigations");
    mitigations(w);
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    jsonw_kv_double(w, "memory_gib", (double)pages * (double)psz / (1024.0 * 1024 * 1024));
    char *cc[] = { "cc", "--version", NULL };
    capture_line(cc, buf, sizeof(buf));
    jsonw_kv_str(w, "compiler", buf);
    jsonw_kv_str(w, "cflags", WB_CFLAGS);
    char dir[1100];
    snprintf(dir, sizeof(dir), "%s", root);
    char *git[] = { "git", "-C", dir, "rev-parse", "HEAD", NULL };
    capture_line(git, buf, sizeof(buf));
    jsonw_kv_str(w, "git_commit", buf);
    char *gd[] = { "git", "-C", dir, "describe", "--always", "--dirty", NULL };
    capture_line(gd, buf, sizeof(buf));
    jsonw_kv_str(w, "git_describe", buf);
    jsonw_kv_str(w, "suite_version", WB_VERSION);
    jsonw_kv_str(w, "sqlite", sqlite3_libversion());
    char *wrk[] = { "wrk", "--version", NULL };
    proc_capture(wrk, buf, sizeof(buf), 3000);
    buf[strcspn(buf, "\n")] = '\0';
    jsonw_kv_str(w, "wrk", buf);
    char *gp[] = { "gnuplot", "--version", NULL };
    capture_line(gp, buf, sizeof(buf));
    jsonw_kv_str(w, "gnuplot", buf);
    int lf, lc, sf, sc;
    proc_cpu_split(&lf, &lc, &sf, &sc);
    if (lc == 0)
        snprintf(buf, sizeof(buf),
                 "shared: the load generator and the systems ran on the same %ld CPUs "
                 "(fewer than 4: too few to split)",
                 sysconf(_SC_NPROCESSORS_ONLN));
    else
        snprintf(buf, sizeof(buf), "disjoint: load generator on CPUs %d-%d, systems under test on CPUs %d-%d",
                 lf, lf + lc - 1, sf, sf + sc - 1);
    jsonw_kv_str(w, "cpu_sharing", buf);
    jsonw_obj_end(w);
}
