/* lambda/runtimes: writes the runtime clients compiled into the binary (runtimes.h) to
 * disk at start, so that python and node handlers find them wherever the binary is.
 *
 * With a data directory they go to <data-dir>/runtimes/<content hash>/: the name changes
 * with the content, so two sqsemu versions sharing a data directory each keep their own
 * copy, and a restart of the same version only compares (a file is rewritten only when
 * its bytes differ, through a temporary file and rename(), so no reader sees half a
 * file). The data directory is locked by one process before this runs. With --in-memory
 * they go to a fresh temporary directory that runtimes_remove() deletes at exit.
 * Directories are 0700 and files 0600: handlers run as sqsemu's user and only read them.
 * Nothing that is a symlink or belongs to another user is used. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqsemu/buf.h"
#include "sqsemu/log.h"
#include "sqsemu/runtimes.h"

#define HASH_CHARS 16 /* of the SHA-256 in the directory name */

static char *temp_root; /* the temporary directory made for --in-memory, else NULL */

/* mkdir 0700, or an existing directory that is really ours (not a symlink). */
static bool private_dir(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        log_error("%s is not a directory owned by this user", path);
        return false;
    }
    if ((st.st_mode & 077) && chmod(path, 0700) != 0) {
        log_error("cannot make %s private: %s", path, strerror(errno));
        return false;
    }
    return true;
}

/* The directories between root and the file rel (root itself exists). */
static bool make_parents(const char *root, const char *rel)
{
    bool ok = true;
    for (const char *slash = strchr(rel, '/'); ok && slash; slash = strchr(slash + 1, '/')) {
        buf_t dir;
        buf_init(&dir);
        buf_printf(&dir, "%s/%.*s", root, (int)(slash - rel), rel);
        ok = private_dir(dir.data);
        buf_free(&dir);
    }
    return ok;
}

/* True when path is a regular file of ours holding exactly data (made 0600 if it was not). */
static bool same_content(const char *path, const unsigned char *data, size_t size)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (size_t)st.st_size == size;
    unsigned char chunk[8192];
    for (size_t at = 0; same && at < size;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        same = n > 0 && (size_t)n <= size - at && memcmp(chunk, data + at, (size_t)n) == 0;
        at += n > 0 ? (size_t)n : 0;
    }
    if (same && (st.st_mode & 0777) != 0600)
        same = fchmod(fd, 0600) == 0;
    close(fd);
    return same;
}

static bool write_all(int fd, const unsigned char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= (size_t)n;
    }
    return true;
}

/* Writes path atomically: a 0600 temporary file beside it, then rename(). */
static bool write_file(const char *path, const unsigned char *data, size_t size)
{
    buf_t tmp;
    buf_init(&tmp);
    buf_printf(&tmp, "%s.tmp", path);
    unlink(tmp.data); /* a leftover of a crash */
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write_all(fd, data, size);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    ok = ok && rename(tmp.data, path) == 0;
    if (!ok) {
        log_error("cannot write %s: %s", path, strerror(errno));
        unlink(tmp.data);
    }
    buf_free(&tmp);
    return ok;
}

static bool safe_relative(const char *rel)
{
    if (!rel[0] || rel[0] == '/')
        return false;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
            return false;
        p += n;
        p += *p == '/';
    }
    return true;
}

/* Every embedded file under root; how many had to be written goes to *written. */
static bool write_files(const char *root, size_t *written)
{
    *written = 0;
    for (size_t i = 0; i < runtime_file_count; i++) {
        const runtime_file *f = &runtime_files[i];
        if (!safe_relative(f->path) || !make_parents(root, f->path))
            return false;
        buf_t path;
        buf_init(&path);
        buf_printf(&path, "%s/%s", root, f->path);
        bool ok = same_content(path.data, f->data, f->size);
        if (!ok) {
            ok = write_file(path.data, f->data, f->size);
            *written += ok;
        }
        buf_free(&path);
        if (!ok)
            return false;
    }
    return true;
}

/* <data_dir>/runtimes/<hash>, made private; malloc'd, or NULL. */
static char *data_dir_root(const char *data_dir)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/runtimes", data_dir);
    bool ok = private_dir(b.data);
    buf_printf(&b, "/%.*s", HASH_CHARS, runtime_files_hash);
    ok = ok && private_dir(b.data);
    char *root = buf_detach(&b, NULL);
    if (!ok) {
        free(root);
        return NULL;
    }
    return root;
}

/* A new directory under $TMPDIR (or /tmp), 0700 by mkdtemp; malloc'd, or NULL. */
static char *temporary_root(void)
{
    const char *tmpdir = getenv("TMPDIR");
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/sqsemu-runtimes-XXXXXX", tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp");
    char *root = buf_detach(&b, NULL);
    if (!mkdtemp(root)) {
        log_error("cannot create a temporary directory for the runtime clients (%s): %s", root, strerror(errno));
        free(root);
        return NULL;
    }
    return root;
}

bool runtimes_extract(const char *data_dir, char *out, size_t out_size)
{
    char *root = data_dir ? data_dir_root(data_dir) : temporary_root();
    if (!root)
        return false;
    if (!data_dir)
        temp_root = root;
    size_t written = 0;
    char resolved[PATH_MAX];
    bool ok = write_files(root, &written) && realpath(root, resolved) && strlen(resolved) < out_size;
    if (ok) {
        memcpy(out, resolved, strlen(resolved) + 1);
        log_debug("runtime clients in %s (%zu of %zu files written)", out, written, runtime_file_count);
    } else {
        log_error("cannot prepare the runtime clients in %s", root);
    }
    if (data_dir)
        free(root);
    return ok;
}

/* Removes the parents of rel under root that became empty, deepest first. */
static void remove_empty_parents(const char *root, const char *rel)
{
    char *copy = xstrdup(rel);
    for (char *slash = strrchr(copy, '/'); slash; slash = strrchr(copy, '/')) {
        *slash = '\0';
        buf_t dir;
        buf_init(&dir);
        buf_printf(&dir, "%s/%s", root, copy);
        rmdir(dir.data); /* fails, harmlessly, while the directory holds anything */
        buf_free(&dir);
    }
    free(copy);
}

void runtimes_remove(void)
{
    if (!temp_root)
        return;
    for (size_t i = 0; i < runtime_file_count; i++) {
        if (!safe_relative(runtime_files[i].path))
            continue;
        buf_t path;
        buf_init(&path);
        buf_printf(&path, "%s/%s", temp_root, runtime_files[i].path);
        unlink(path.data);
        buf_free(&path);
        remove_empty_parents(temp_root, runtime_files[i].path);
    }
    if (rmdir(temp_root) != 0)
        log_warn("cannot remove %s: %s", temp_root, strerror(errno));
    free(temp_root);
    temp_root = NULL;
}
