/* lambda/code: unpacking function zip archives safely, CodeSha256, removing code trees.
 *
 * Unpacking happens in two passes. The first pass only looks at the central directory:
 * entry count, total uncompressed size, names (normalised to relative paths without "."
 * or ".." components), types from the Unix external attributes, encryption and
 * compression methods. Nothing touches the file system before the whole archive passed.
 * The second pass creates every entry relative to a descriptor of the destination
 * directory, opening each intermediate directory with O_NOFOLLOW|O_DIRECTORY, so no path
 * can leave the tree, not even through a symbolic link created by an earlier entry.
 *
 * Symbolic links are created only when their target provably stays inside the tree: a
 * relative target whose ".." components all come first and do not climb above the
 * destination directory (counted from the link's own, real, directory). Any other link
 * makes the whole archive fail.
 *
 * Modes: the permission bits of Unix external attributes are kept, except setuid/setgid/
 * sticky and group/other write (masked like umask 022); the owner can always read files
 * and enter/modify directories. Entries without Unix attributes get 0644 / 0755. */
#include "code.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zip.h>

#include "sqsemu/buf.h"

#define CODE_MAX_UNZIPPED_BYTES 262144000ULL /* Lambda's 250 MB unzipped limit */
#define CODE_MAX_ENTRIES 100000
#define CODE_COPY_CHUNK 65536

/* ------------------------------------------------------------------ helpers */

static void set_error(char *error, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_error(char *error, size_t size, const char *fmt, ...)
{
    if (!error || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, size, fmt, ap);
    va_end(ap);
}

void code_sha256_base64(const void *data, size_t len, char out[CODE_SHA256_B64_LEN])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    static const unsigned char empty[1];
    if (!EVP_Digest(len ? data : empty, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32) {
        out[0] = '\0';
        return;
    }
    int n = EVP_EncodeBlock((unsigned char *)out, md, (int)md_len);
    out[n < 0 ? 0 : n] = '\0';
}

/* ------------------------------------------------------------------ removal */

/* Removes path (a NUL-terminated string of length len inside a buffer of cap bytes).
 * Directories are emptied first; symbolic links are unlinked, never followed. Names are
 * read before descending so at most one directory stream is open at a time. */
static bool remove_tree(char *path, size_t len, size_t cap, bool keep_root)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 || errno == ENOENT;
    if ((st.st_mode & S_IRWXU) != S_IRWXU)
        (void)chmod(path, (st.st_mode & 07777) | S_IRWXU);

    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    char **names = NULL;
    size_t count = 0, allocated = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (count == allocated) {
            allocated = allocated ? allocated * 2 : 16;
            names = xrealloc(names, allocated * sizeof *names);
        }
        names[count++] = xstrdup(de->d_name);
    }
    closedir(d);

    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        size_t name_len = strlen(names[i]);
        if (len + 1 + name_len >= cap) {
            ok = false;
        } else {
            path[len] = '/';
            memcpy(path + len + 1, names[i], name_len + 1);
            if (!remove_tree(path, len + 1 + name_len, cap, false))
                ok = false;
            path[len] = '\0';
        }
        free(names[i]);
    }
    free(names);
    if (!keep_root && rmdir(path) != 0 && errno != ENOENT)
        ok = false;
    return ok;
}

/* Copies dir into a PATH_MAX buffer without trailing slashes (a trailing slash would make
 * lstat follow a symbolic link). Refuses "" and "/". */
static char *tree_path(const char *dir, size_t *len)
{
    if (!dir)
        return NULL;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || (n == 1 && dir[0] == '/') || n >= PATH_MAX)
        return NULL;
    char *path = xmalloc(PATH_MAX);
    memcpy(path, dir, n);
    path[n] = '\0';
    *len = n;
    return path;
}

static bool remove_tree_path(const char *dir, bool keep_root)
{
    size_t len;
    char *path = tree_path(dir, &len);
    if (!path)
        return false;
    bool ok = remove_tree(path, len, PATH_MAX, keep_root);
    free(path);
    return ok;
}

bool code_remove_dir(const char *dir)
{
    if (!remove_tree_path(dir, false))
        return false;
    struct stat st;
    return lstat(dir, &st) != 0 && errno == ENOENT;
}

/* ------------------------------------------------------------------ archive checks */

typedef enum { ENTRY_FILE, ENTRY_DIR, ENTRY_SYMLINK, ENTRY_SKIP } entry_type;

typedef struct entry {
    zip_uint64_t index;
    entry_type type;
    mode_t mode;       /* permission bits to apply */
    char *path;        /* normalised relative path ("a/b/c") */
    size_t depth;      /* number of path components */
    zip_uint64_t size; /* declared uncompressed size */
} entry;

typedef struct archive {
    zip_t *za;
    entry *entries;
    size_t count;
} archive;

static void archive_close(archive *ar)
{
    for (size_t i = 0; i < ar->count; i++)
        free(ar->entries[i].path);
    free(ar->entries);
    if (ar->za)
        zip_discard(ar->za);
    memset(ar, 0, sizeof *ar);
}

/* Normalises an entry name: drops empty and "." components; rejects absolute names,
 * ".." components and components longer than NAME_MAX. */
static bool normalise_name(const char *name, char **out, size_t *depth)
{
    if (name[0] == '/')
        return false;
    size_t n = strlen(name);
    char *path = xmalloc(n + 1);
    size_t len = 0, comps = 0;
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            free(path);
            return false;
        }
        if (clen > NAME_MAX) {
            free(path);
            return false;
        }
        if (clen > 0 && !(clen == 1 && p[0] == '.')) {
            if (len)
                path[len++] = '/';
            memcpy(path + len, p, clen);
            len += clen;
            comps++;
        }
        p += clen;
        if (*p == '/')
            p++;
    }
    path[len] = '\0';
    *out = path;
    *depth = comps;
    return true;
}

static bool open_archive(const void *zip, size_t len, size_t dest_len, archive *ar, char *error, size_t error_size)
{
    memset(ar, 0, sizeof *ar);
    if (!zip || len < 22) { /* smaller than an end-of-central-directory record */
        set_error(error, error_size, "not a zip archive");
        return false;
    }
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(zip, len, 0, &zerr);
    if (!src) {
        set_error(error, error_size, "cannot read archive: %s", zip_error_strerror(&zerr));
        zip_error_fini(&zerr);
        return false;
    }
    ar->za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    if (!ar->za) {
        set_error(error, error_size, "cannot open archive: %s", zip_error_strerror(&zerr));
        zip_error_fini(&zerr);
        zip_source_free(src);
        return false;
    }
    zip_error_fini(&zerr);

    zip_int64_t n = zip_get_num_entries(ar->za, 0);
    if (n < 0 || n > CODE_MAX_ENTRIES) {
        set_error(error, error_size, "archive has too many entries (more than %d)", CODE_MAX_ENTRIES);
        return false;
    }
    ar->entries = xcalloc(n ? (size_t)n : 1, sizeof *ar->entries);
    zip_uint64_t total = 0;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)n; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(ar->za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE)) {
            set_error(error, error_size, "cannot read entry %llu of the archive", (unsigned long long)i);
            return false;
        }
        entry *e = &ar->entries[ar->count++];
        e->index = i;
        e->size = st.size;
        const char *name = st.name;
        if (!normalise_name(name, &e->path, &e->depth)) {
            set_error(error, error_size, "unsafe entry name: %s", name);
            return false;
        }
        if (dest_len + 1 + strlen(e->path) >= PATH_MAX) {
            set_error(error, error_size, "entry name too long: %s", name);
            return false;
        }
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            set_error(error, error_size, "encrypted entries are not supported: %s", name);
            return false;
        }
        if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0)) {
            set_error(error, error_size, "unsupported compression method %d: %s", (int)st.comp_method, name);
            return false;
        }
        total += st.size;
        if (st.size > CODE_MAX_UNZIPPED_BYTES || total > CODE_MAX_UNZIPPED_BYTES) {
            set_error(error, error_size, "unzipped size exceeds %llu bytes", CODE_MAX_UNZIPPED_BYTES);
            return false;
        }

        mode_t unix_mode = 0;
        zip_uint8_t opsys;
        zip_uint32_t attributes;
        if (zip_file_get_external_attributes(ar->za, i, 0, &opsys, &attributes) == 0 && opsys == ZIP_OPSYS_UNIX)
            unix_mode = (mode_t)(attributes >> 16);
        mode_t type = unix_mode & S_IFMT;
        mode_t perm = unix_mode & 0777;
        size_t name_len = strlen(name);
        bool dir_name = name_len > 0 && name[name_len - 1] == '/';
        if (type == S_IFLNK) {
            if (dir_name) {
                set_error(error, error_size, "invalid symbolic link entry: %s", name);
                return false;
            }
            e->type = ENTRY_SYMLINK;
        } else if (type == S_IFDIR || dir_name) {
            e->type = ENTRY_DIR;
            e->mode = ((perm ? perm : 0755) | S_IRWXU) & ~(mode_t)022;
        } else if (type == 0 || type == S_IFREG) {
            e->type = ENTRY_FILE;
            e->mode = ((perm ? perm : 0644) | S_IRUSR) & ~(mode_t)022;
        } else {
            set_error(error, error_size, "unsupported entry type (device, fifo or socket): %s", name);
            return false;
        }
        if (e->depth == 0) {
            if (e->type != ENTRY_DIR) {
                set_error(error, error_size, "invalid entry name: %s", name);
                return false;
            }
            e->type = ENTRY_SKIP; /* "./": the destination itself */
        }
    }
    return true;
}

/* ------------------------------------------------------------------ extraction */

/* A relative target is safe when its ".." components all come first and there are no
 * more of them than the link's directory is deep. "." and empty components are ignored. */
static bool symlink_target_safe(const char *target, size_t parent_depth)
{
    if (target[0] == '\0' || target[0] == '/')
        return false;
    size_t up = 0;
    bool named = false;
    const char *p = target;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            if (named)
                return false;
            up++;
        } else if (clen > 0 && !(clen == 1 && p[0] == '.')) {
            named = true;
        }
        p += clen;
        if (*p == '/')
            p++;
    }
    return up <= parent_depth;
}

/* Walks the first `walk` components of path below root_fd, creating missing directories
 * (0755) and refusing anything that is not a real directory. Returns a descriptor (to be
 * closed by the caller unless it is root_fd) and sets *leaf to the next component. */
static int walk_dirs(int root_fd, char *path, size_t walk, char **leaf)
{
    int cur = root_fd;
    char *p = path;
    for (size_t i = 0; i < walk; i++) {
        char *slash = strchr(p, '/');
        if (slash)
            *slash = '\0';
        bool created = mkdirat(cur, p, 0700) == 0;
        int next = -1;
        if (created || errno == EEXIST)
            next = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        if (slash)
            *slash = '/';
        if (cur != root_fd)
            close(cur);
        if (next >= 0 && created && fchmod(next, 0755) != 0) {
            saved = errno;
            close(next);
            next = -1;
        }
        if (next < 0) {
            errno = saved;
            return -1;
        }
        cur = next;
        p = slash ? slash + 1 : p + strlen(p);
    }
    *leaf = p;
    return cur;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads an entry's data; either writes it to fd or (fd < 0) collects at most cap bytes in
 * out. Enforces the declared size and the archive-wide budget. */
static bool read_entry(zip_t *za, const entry *e, int fd, char *out, size_t cap, size_t *out_len,
                       zip_uint64_t *total, char *error, size_t error_size)
{
    zip_file_t *zf = zip_fopen_index(za, e->index, 0);
    if (!zf) {
        set_error(error, error_size, "cannot read %s: %s", e->path, zip_strerror(za));
        return false;
    }
    char *chunk = xmalloc(CODE_COPY_CHUNK);
    zip_uint64_t written = 0;
    bool ok = true;
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, CODE_COPY_CHUNK);
        if (n < 0) {
            set_error(error, error_size, "cannot read %s: %s", e->path, zip_file_strerror(zf));
            ok = false;
            break;
        }
        if (n == 0)
            break;
        written += (zip_uint64_t)n;
        *total += (zip_uint64_t)n;
        if (written > e->size || *total > CODE_MAX_UNZIPPED_BYTES) {
            set_error(error, error_size, "entry %s is larger than declared", e->path);
            ok = false;
            break;
        }
        if (fd >= 0) {
            if (!write_all(fd, chunk, (size_t)n)) {
                set_error(error, error_size, "cannot write %s: %s", e->path, strerror(errno));
                ok = false;
                break;
            }
        } else {
            if (*out_len + (size_t)n > cap) {
                set_error(error, error_size, "symbolic link target too long: %s", e->path);
                ok = false;
                break;
            }
            memcpy(out + *out_len, chunk, (size_t)n);
            *out_len += (size_t)n;
        }
    }
    free(chunk);
    zip_fclose(zf);
    return ok;
}

static bool extract_entry(zip_t *za, int root_fd, const entry *e, zip_uint64_t *total, char *error,
                          size_t error_size)
{
    if (e->type == ENTRY_SKIP)
        return true;
    char *path = xstrdup(e->path);
    char *leaf = NULL;
    size_t walk = e->type == ENTRY_DIR ? e->depth : e->depth - 1;
    int dir = walk_dirs(root_fd, path, walk, &leaf);
    bool ok = false;
    if (dir < 0) {
        set_error(error, error_size, "cannot create directories for %s: %s", e->path, strerror(errno));
        goto done;
    }
    if (e->type == ENTRY_DIR) {
        ok = fchmod(dir, e->mode) == 0;
        if (!ok)
            set_error(error, error_size, "cannot set mode of %s: %s", e->path, strerror(errno));
    } else if (e->type == ENTRY_FILE) {
        int fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            set_error(error, error_size, "cannot create %s: %s", e->path, strerror(errno));
        } else {
            ok = read_entry(za, e, fd, NULL, 0, NULL, total, error, error_size);
            if (ok && fchmod(fd, e->mode) != 0) {
                set_error(error, error_size, "cannot set mode of %s: %s", e->path, strerror(errno));
                ok = false;
            }
            if (close(fd) != 0 && ok) {
                set_error(error, error_size, "cannot write %s: %s", e->path, strerror(errno));
                ok = false;
            }
        }
    } else {
        char target[PATH_MAX];
        size_t target_len = 0;
        if (read_entry(za, e, -1, target, sizeof target - 1, &target_len, total, error, error_size)) {
            target[target_len] = '\0';
            if (strlen(target) != target_len || !symlink_target_safe(target, e->depth - 1)) {
                set_error(error, error_size, "symbolic link %s points outside the code directory", e->path);
            } else if (symlinkat(target, dir, leaf) != 0) {
                set_error(error, error_size, "cannot create symbolic link %s: %s", e->path, strerror(errno));
            } else {
                ok = true;
            }
        }
    }
    if (dir != root_fd)
        close(dir);
done:
    free(path);
    return ok;
}

/* mkdir -p for the parents of dir (existing ones are fine). */
static void make_parents(const char *dir)
{
    char *copy = xstrdup(dir);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        (void)mkdir(copy, 0755);
        *p = '/';
    }
    free(copy);
}

static bool dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool empty = true;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            empty = false;
            break;
        }
    }
    closedir(d);
    return empty;
}

bool code_unpack_zip(const void *zip, size_t len, const char *dest_dir, char *error, size_t error_size)
{
    if (error && error_size)
        error[0] = '\0';
    size_t dest_len;
    char *dest = tree_path(dest_dir, &dest_len);
    if (!dest) {
        set_error(error, error_size, "invalid destination directory");
        return false;
    }
    archive ar;
    if (!open_archive(zip, len, dest_len, &ar, error, error_size)) {
        archive_close(&ar);
        free(dest);
        return false;
    }

    bool created = false;
    if (mkdir(dest, 0755) == 0) {
        created = true;
    } else if (errno == ENOENT) {
        make_parents(dest);
        created = mkdir(dest, 0755) == 0;
    }
    if (!created) {
        int saved = errno;
        struct stat st;
        if (saved != EEXIST) {
            set_error(error, error_size, "cannot create %s: %s", dest, strerror(saved));
            archive_close(&ar);
            free(dest);
            return false;
        }
        if (lstat(dest, &st) != 0 || !S_ISDIR(st.st_mode) || !dir_is_empty(dest)) {
            set_error(error, error_size, "destination %s is not an empty directory", dest);
            archive_close(&ar);
            free(dest);
            return false;
        }
    }

    bool ok = true;
    int root_fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root_fd < 0) {
        set_error(error, error_size, "cannot open %s: %s", dest, strerror(errno));
        ok = false;
    }
    zip_uint64_t total = 0;
    for (size_t i = 0; ok && i < ar.count; i++)
        ok = extract_entry(ar.za, root_fd, &ar.entries[i], &total, error, error_size);
    if (root_fd >= 0)
        close(root_fd);
    archive_close(&ar);

    if (!ok)
        remove_tree_path(dest, !created);
    free(dest);
    return ok;
}
