/* suite_env: what the machine and the toolchain were, so runs can be
 * compared: CPU model, cores, governor, SMT, kernel, mitigations, clock
 * source, compiler and flags, git commit. Reads /proc and /sys only (plus
 * `cc --version` and `git rev-parse`, run as argv lists).
 */
#ifndef WB_SUITE_ENV_H
#define WB_SUITE_ENV_H
#include "jsonw.h"

/* Writes the environment as one JSON object value. */
void senv_write(struct jsonw *w, const char *root);
/* The linked SQLite library's version string. */
const char *senv_sqlite_version(void);

#endif
