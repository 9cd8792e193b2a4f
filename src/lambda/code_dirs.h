/* lambda/code_dirs: the directories of function code that sqsemu created itself, and the
 * only ones it ever removes. */
#ifndef SQSEMU_LAMBDA_CODE_DIRS_H
#define SQSEMU_LAMBDA_CODE_DIRS_H

#include <stdbool.h>

/* Resolves the data directory (it must exist). False if it cannot be resolved. */
bool code_dirs_start(const char *data_dir);
void code_dirs_stop(void);

/* Registers and creates a fresh directory for a function's unpacked code:
 * <data-dir>/lambda/<account>/<region>/<name>/<uuid>, mode 0700. NULL on failure
 * (nothing is left behind). The result is malloc'd. */
char *code_dir_create(const char *account, const char *region, const char *name);

/* Forgets and removes dir (with its kept "<dir>.zip" and the parents that became empty)
 * if sqsemu created it and no execution environment runs from it; anything else is left
 * alone. Safe to call with any path, or NULL. */
void code_dir_release(const char *dir);

/* True when dir was created by code_dir_create and not released yet. */
bool code_dir_owned(const char *dir);

/* A directory created by an earlier version of sqsemu (before ownership was recorded):
 * when its real path lies in <data-dir>/lambda/ it is registered under that real path,
 * which is returned (malloc'd); otherwise NULL. */
char *code_dir_adopt(const char *dir);

/* True when the resolved path is the data directory or inside it. */
bool code_dirs_inside_data_dir(const char *resolved);

/* Releases every registered directory for which in_use(dir) is false (crash leftovers). */
void code_dirs_sweep(bool (*in_use)(const char *dir));

#endif
