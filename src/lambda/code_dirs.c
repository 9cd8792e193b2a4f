/* lambda/code_dirs: ownership of function code directories.
 *
 * sqsemu unpacks every uploaded zip into a directory of its own and must one day remove
 * it; it must never remove a directory it did not create (a hot-reload directory is the
 * user's source tree). Ownership is therefore a recorded fact, not a guess from a path:
 *
 *   create   code_dir_create() registers <data-dir>/lambda/<account>/<region>/<name>/<uuid>
 *            in the store (table code_dirs) first, then makes it (0700). A crash between
 *            the two leaves a registration without a directory, which is harmless.
 *   use      the function record points at it; execution environments run from it.
 *   release  when the record stops pointing at it (code update, delete, failed create),
 *            code_dir_release() removes it once no environment runs from it (the executor
 *            calls again when its last environment there is gone), with the kept zip
 *            "<dir>.zip" and the parents that became empty, then forgets it.
 *   sweep    at start-up, registered directories no function points at are released
 *            (leftovers of a crash between a change and its release).
 *
 * A path that is not registered is left alone whatever it looks like, so an S3Key such as
 * "<data-dir>/lambda/../../victim" can never make sqsemu delete anything. Paths are
 * compared after realpath() where a client could have spelled them. */
#include "code_dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "code.h"
#include "executor.h"
#include "sqsemu/buf.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"

static char *data_root;   /* realpath of the data directory */
static char *lambda_root; /* data_root + "/lambda" */

bool code_dirs_start(const char *data_dir)
{
    char resolved[PATH_MAX];
    if (!realpath(data_dir, resolved)) {
        log_error("cannot resolve the data directory %s: %s", data_dir, strerror(errno));
        return false;
    }
    data_root = xstrdup(resolved);
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/lambda", data_root);
    lambda_root = buf_detach(&b, NULL);
    return true;
}

void code_dirs_stop(void)
{
    free(data_root);
    free(lambda_root);
    data_root = lambda_root = NULL;
}

static bool path_within(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/' || (n == 1 && root[0] == '/'));
}

bool code_dirs_inside_data_dir(const char *resolved)
{
    return data_root && path_within(resolved, data_root);
}

/* Removes the empty directories between dir's parent and lambda_root (exclusive of the
 * root): rmdir fails on a directory that still holds anything, which ends the walk. */
static void prune_empty_parents(const char *dir)
{
    char *path = xstrdup(dir);
    for (;;) {
        char *slash = strrchr(path, '/');
        if (!slash)
            break;
        *slash = '\0';
        if (strlen(path) <= strlen(lambda_root) || !path_within(path, lambda_root) || rmdir(path) != 0)
            break;
    }
    free(path);
}

static bool make_dir(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

char *code_dir_create(const char *account, const char *region, const char *name)
{
    char uuid[UUID_STR_LEN];
    ids_uuid(uuid);
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/%s/%s/%s/%s", lambda_root, account, region, name, uuid);
    char *dir = buf_detach(&b, NULL);
    if (!store_code_dir_add(dir)) {
        free(dir);
        return NULL;
    }
    /* Every level is made by us with a name we chose (account, region and function name
     * are validated identifiers), 0700 like the data directory. */
    bool ok = make_dir(lambda_root);
    for (char *p = dir + strlen(lambda_root) + 1; ok && *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        ok = make_dir(dir);
        *p = '/';
    }
    ok = ok && mkdir(dir, 0700) == 0;
    if (!ok) {
        log_error("cannot create the code directory %s: %s", dir, strerror(errno));
        code_dir_release(dir);
        free(dir);
        return NULL;
    }
    return dir;
}

bool code_dir_owned(const char *dir)
{
    return dir && *dir && store_code_dir_registered(dir);
}

void code_dir_release(const char *dir)
{
    if (!code_dir_owned(dir) || executor_dir_in_use(dir))
        return;
    code_remove_dir(dir);
    buf_t zip;
    buf_init(&zip);
    buf_printf(&zip, "%s.zip", dir);
    unlink(zip.data);
    buf_free(&zip);
    if (!store_code_dir_remove(dir))
        log_warn("could not forget the code directory %s", dir);
    prune_empty_parents(dir);
}

char *code_dir_adopt(const char *dir)
{
    char resolved[PATH_MAX];
    if (!dir || !lambda_root || !realpath(dir, resolved))
        return NULL;
    if (!path_within(resolved, lambda_root) || strcmp(resolved, lambda_root) == 0 || !store_code_dir_add(resolved))
        return NULL;
    return xstrdup(resolved);
}

typedef struct sweep_ctx {
    bool (*in_use)(const char *dir);
} sweep_ctx;

static void sweep_one(const char *path, void *arg)
{
    sweep_ctx *ctx = arg;
    if (!ctx->in_use(path)) {
        log_debug("removing the unused code directory %s", path);
        code_dir_release(path);
    }
}

void code_dirs_sweep(bool (*in_use)(const char *dir))
{
    sweep_ctx ctx = {in_use};
    store_code_dir_each(sweep_one, &ctx);
}
