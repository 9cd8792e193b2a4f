/* store/data_dir: the data directory: created private (0700), and owned by one process at
 * a time through an exclusive lock on <dir>/sqsemu.lock, held until the process exits.
 *
 * Two servers on one directory would each keep their own picture of the queues in memory
 * and overwrite each other's work, so a second one refuses to start. The lock is a
 * flock() on a file descriptor that is not inherited by handler processes (O_CLOEXEC): it
 * goes away with the process, also after kill -9, and a stale lock file is harmless. The
 * file holds the owner's pid, only to make the refusal message useful. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqsemu/buf.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"

static int lock_fd = -1;

/* mkdir -p: parents with the usual 0755, the data directory itself 0700. */
static bool make_dirs(const char *path)
{
    char *copy = xstrdup(path);
    bool ok = true;
    for (char *p = copy + 1; ok && *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        ok = mkdir(copy, 0755) == 0 || errno == EEXIST;
        *p = '/';
    }
    ok = ok && (mkdir(copy, 0700) == 0 || errno == EEXIST);
    free(copy);
    return ok;
}

static void read_owner(int fd, char *pid, size_t size)
{
    ssize_t n = pread(fd, pid, size - 1, 0);
    pid[n > 0 ? n : 0] = '\0';
    pid[strcspn(pid, "\r\n")] = '\0';
}

static bool take_lock(const char *dir)
{
    buf_t path;
    buf_init(&path);
    buf_printf(&path, "%s/sqsemu.lock", dir);
    int fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        log_error("cannot open the lock file %s: %s", path.data, strerror(errno));
        buf_free(&path);
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char owner[32];
        read_owner(fd, owner, sizeof owner);
        if (errno == EWOULDBLOCK)
            log_error("the data directory %s is in use by another sqsemu process%s%s%s: stop that process or "
                      "start this one with another --data-dir (or --in-memory)",
                      dir, *owner ? " (pid " : "", owner, *owner ? ")" : "");
        else
            log_error("cannot lock %s: %s", path.data, strerror(errno));
        close(fd);
        buf_free(&path);
        return false;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
        log_warn("cannot write the owner's pid into %s", path.data);
    buf_free(&path);
    lock_fd = fd;
    return true;
}

/* The database files are private; an existing one made by an older version is tightened. */
static void private_files(const char *dir)
{
    static const char *const names[] = {"sqsemu.db", "sqsemu.db-wal", "sqsemu.db-shm"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        buf_t path;
        buf_init(&path);
        buf_printf(&path, "%s/%s", dir, names[i]);
        int fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (i == 0 ? O_CREAT : 0), 0600);
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
                fchmod(fd, st.st_mode & 0700);
            close(fd);
        }
        buf_free(&path);
    }
}

char *store_prepare_data_dir(const char *dir)
{
    if (!make_dirs(dir)) {
        log_error("cannot create the data directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    if (!take_lock(dir))
        return NULL;
    private_files(dir);
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/sqsemu.db", dir);
    return buf_detach(&b, NULL);
}

void store_release_data_dir(void)
{
    if (lock_fd >= 0)
        close(lock_fd);
    lock_fd = -1;
}
