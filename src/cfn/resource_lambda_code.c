/* cfn/resource_lambda_code: what AWS::Lambda::Function's Code can be in sqsemu (AWS
 * CloudFormation User Guide, "AWS::Lambda::Function Code"), and how each is deployed:
 *   {ZipFile: "<source>"}         inline source: written, as CloudFormation does, into a
 *                                 file named index (index.py for python runtimes, index.js
 *                                 for nodejs ones) inside a zip archive built here
 *   {S3Bucket: "hot-reload", S3Key: "<dir>"}  sqsemu's hot-reload convention of
 *                                 CreateFunction (a relative S3Key resolves against the
 *                                 template's directory)
 *   "<path>"                      a local directory or .zip file relative to the template's
 *                                 directory (what SAM's local CodeUri becomes, and what
 *                                 `aws cloudformation package` would upload): a directory
 *                                 is zipped here, its entries sorted and stamped with one
 *                                 fixed time so that the same files give the same archive
 *   {ImageUri: "..."}             stored (sqsemu runs no containers)
 * Any other S3Bucket is refused: sqsemu has no S3. The digest is the archive's SHA-256
 * (or the source's, or the hot-reload path's), so a directory whose contents changed is
 * a code change on the next update. Archives are bounded by Lambda's limits (50 MB
 * zipped, 250 MB unzipped). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "resource_lambda_code.h"
#include "resource_props.h"
#include "sqsemu/buf.h"

#define HOT_RELOAD_BUCKET "hot-reload"
#define ZIPPED_MAX (50u * 1024 * 1024)
#define UNZIPPED_MAX (250ull * 1024 * 1024)
#define ENTRIES_MAX 20000
#define DEPTH_MAX 32
#define FIXED_MTIME 315532800 /* 1980-01-01, the earliest time a zip entry holds */

static char *resolve(const cfn_resource *r, const char *path)
{
    buf_t b;
    buf_init(&b);
    const char *base = r->base_dir ? r->base_dir : (r->ctx && r->ctx->base_dir ? r->ctx->base_dir : ".");
    if (path[0] == '/')
        buf_puts(&b, path);
    else
        buf_printf(&b, "%s/%s", base, path);
    return buf_detach(&b, NULL);
}

typedef struct walk {
    zip_t *za;
    size_t entries;
    unsigned long long bytes;
    char why[512];
} walk;

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted; NULL when it cannot be read. */
static char **sorted_names(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n <= ENTRIES_MAX) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap)
            names = xrealloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names ? names : xcalloc(1, sizeof *names);
}

/* a + sep + b into out; false when it does not fit. */
static bool join(char *out, size_t size, const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    if (la + ls + lb >= size)
        return false;
    memcpy(out, a, la);
    memcpy(out + la, sep, ls);
    memcpy(out + la + ls, b, lb + 1);
    return true;
}

static bool add_tree(walk *w, const char *dir, const char *prefix, int depth)
{
    if (depth > DEPTH_MAX) {
        snprintf(w->why, sizeof w->why, "the directory is nested deeper than %d levels", DEPTH_MAX);
        return false;
    }
    size_t n = 0;
    char **names = sorted_names(dir, &n);
    if (!names) {
        snprintf(w->why, sizeof w->why, "cannot read %s: %s", dir, strerror(errno));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX], name[PATH_MAX];
        struct stat st;
        if (!ok || !join(path, sizeof path, dir, "/", names[i]) || !join(name, sizeof name, prefix, "", names[i]) ||
            stat(path, &st) != 0)
            continue;
        if (++w->entries > ENTRIES_MAX) {
            snprintf(w->why, sizeof w->why, "more than %d files", ENTRIES_MAX);
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            char sub[PATH_MAX];
            join(sub, sizeof sub, name, "/", "");
            zip_int64_t at = zip_dir_add(w->za, name, ZIP_FL_ENC_UTF_8);
            if (at >= 0)
                zip_file_set_mtime(w->za, (zip_uint64_t)at, FIXED_MTIME, 0);
            ok = at >= 0 && add_tree(w, path, sub, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            w->bytes += (unsigned long long)st.st_size;
            if (w->bytes > UNZIPPED_MAX) {
                snprintf(w->why, sizeof w->why, "the code is larger than Lambda's 250 MB unzipped limit");
                ok = false;
                continue;
            }
            zip_source_t *src = zip_source_file(w->za, path, 0, -1);
            zip_int64_t at = src ? zip_file_add(w->za, name, src, ZIP_FL_ENC_UTF_8) : -1;
            if (at < 0) {
                zip_source_free(src);
                snprintf(w->why, sizeof w->why, "cannot add %.400s to the archive", path);
                ok = false;
                continue;
            }
            zip_file_set_mtime(w->za, (zip_uint64_t)at, FIXED_MTIME, 0);
            zip_file_set_external_attributes(w->za, (zip_uint64_t)at, 0, ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)(S_IFREG | (st.st_mode & 0777)) << 16);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ok;
}

/* Ends writing into the in-memory source and copies its bytes out. */
static unsigned char *archive_bytes(zip_t *za, zip_source_t *mem, size_t *len)
{
    zip_source_keep(mem);
    if (zip_close(za) != 0) {
        zip_discard(za);
        zip_source_free(mem);
        return NULL;
    }
    unsigned char *data = NULL;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(mem, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size <= ZIPPED_MAX &&
        zip_source_open(mem) == 0) {
        data = xmalloc(st.size ? st.size : 1);
        zip_int64_t got = zip_source_read(mem, data, st.size);
        zip_source_close(mem);
        if (got < 0 || (zip_uint64_t)got != st.size) {
            free(data);
            data = NULL;
        }
        *len = (size_t)st.size;
    }
    zip_source_free(mem);
    return data;
}

/* An empty writable archive in memory. */
static zip_t *archive_new(zip_source_t **mem)
{
    zip_error_t zerr;
    zip_error_init(&zerr);
    *mem = zip_source_buffer_create(NULL, 0, 0, &zerr);
    zip_t *za = *mem ? zip_open_from_source(*mem, ZIP_TRUNCATE, &zerr) : NULL;
    if (!za && *mem)
        zip_source_free(*mem);
    zip_error_fini(&zerr);
    return za;
}

static unsigned char *zip_directory(const char *dir, size_t *len, char *why, size_t why_size)
{
    zip_source_t *mem = NULL;
    zip_t *za = archive_new(&mem);
    if (!za) {
        snprintf(why, why_size, "cannot create an archive");
        return NULL;
    }
    walk w = {.za = za};
    if (!add_tree(&w, dir, "", 0)) {
        snprintf(why, why_size, "%s", w.why);
        zip_discard(za);
        return NULL;
    }
    unsigned char *data = archive_bytes(za, mem, len);
    if (!data)
        snprintf(why, why_size, "the archive cannot be built or is larger than Lambda's 50 MB limit");
    return data;
}

static unsigned char *zip_inline(const char *file_name, const char *source, size_t *len)
{
    zip_source_t *mem = NULL;
    zip_t *za = archive_new(&mem);
    if (!za)
        return NULL;
    size_t n = strlen(source);
    char *copy = xmalloc(n + 1);
    memcpy(copy, source, n + 1);
    zip_source_t *src = zip_source_buffer(za, copy, n, 1);
    zip_int64_t at = src ? zip_file_add(za, file_name, src, ZIP_FL_ENC_UTF_8) : -1;
    if (at < 0) {
        zip_source_free(src);
        zip_discard(za);
        return NULL;
    }
    zip_file_set_mtime(za, (zip_uint64_t)at, FIXED_MTIME, 0);
    zip_file_set_external_attributes(za, (zip_uint64_t)at, 0, ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFREG | 0644) << 16);
    return archive_bytes(za, mem, len);
}

static unsigned char *read_file(const char *path, size_t *len, char *why, size_t why_size)
{
    /* Only a regular file: a FIFO or a device would block the server's one thread. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        snprintf(why, why_size, "%s is not a regular file or a directory", path);
        return NULL;
    }
    FILE *in = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!in) {
        if (fd >= 0)
            close(fd);
        snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    buf_t b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        buf_append(&b, chunk, n);
        ok = b.len <= ZIPPED_MAX;
    }
    fclose(in);
    if (!ok) {
        buf_free(&b);
        snprintf(why, why_size, "%s is larger than Lambda's 50 MB limit", path);
        return NULL;
    }
    return (unsigned char *)buf_detach(&b, len);
}

/* {ZipFile: <base64 of the archive>} with the archive's digest. */
static cJSON *zip_code(unsigned char *zip, size_t len, char digest[SHA256_HEX_LEN])
{
    sha256_hex(zip, len, digest);
    char *b64 = base64_encode(zip, len);
    cJSON *code = cJSON_CreateObject();
    cJSON_AddStringToObject(code, "ZipFile", b64);
    free(b64);
    free(zip);
    return code;
}

static bool local_path(const cfn_resource *r, const char *given, cJSON **out, char digest[SHA256_HEX_LEN],
                       cfn_error *err)
{
    if (strncmp(given, "s3://", 5) == 0)
        return props_validation_fail(err, r,
                                     "#/Code: sqsemu has no S3: use a local path (a directory or a .zip file) "
                                     "instead of %s", given);
    char *path = resolve(r, given);
    struct stat st;
    char why[600] = "";
    size_t len = 0;
    unsigned char *zip = NULL;
    if (stat(path, &st) != 0)
        snprintf(why, sizeof why, "%s does not exist", path);
    else if (S_ISDIR(st.st_mode))
        zip = zip_directory(path, &len, why, sizeof why);
    else
        zip = read_file(path, &len, why, sizeof why);
    free(path);
    if (!zip)
        return props_validation_fail(err, r, "#/Code: %s", why);
    *out = zip_code(zip, len, digest);
    return true;
}

static bool inline_source(const char *source, const char *runtime, cJSON **out, char digest[SHA256_HEX_LEN],
                          cfn_error *err)
{
    const char *file = NULL;
    if (runtime && strncmp(runtime, "python", 6) == 0)
        file = "index.py";
    else if (runtime && strncmp(runtime, "nodejs", 6) == 0)
        file = "index.js";
    if (!file)
        return props_handler_fail(err, "InvalidRequest",
                                  "ZipFile can only be used when Runtime is set to either of nodejs or python runtimes.");
    size_t len = 0;
    unsigned char *zip = zip_inline(file, source, &len);
    if (!zip)
        return props_handler_fail(err, "InternalFailure", "the inline code could not be archived");
    *out = zip_code(zip, len, digest);
    return true;
}

bool lambda_code_prepare(const cfn_resource *r, const cJSON *code, const char *runtime, cJSON **out,
                         char digest[SHA256_HEX_LEN], cfn_error *err)
{
    *out = NULL;
    if (cJSON_IsString(code))
        return local_path(r, code->valuestring, out, digest, err);
    const char *zip_file = props_string(code, "ZipFile");
    const char *bucket = props_string(code, "S3Bucket");
    const char *key = props_string(code, "S3Key");
    const char *image = props_string(code, "ImageUri");
    if (zip_file)
        return inline_source(zip_file, runtime, out, digest, err);
    if (image) {
        sha256_hex(image, strlen(image), digest);
        *out = cJSON_CreateObject();
        cJSON_AddStringToObject(*out, "ImageUri", image);
        return true;
    }
    if (bucket && strcmp(bucket, HOT_RELOAD_BUCKET) == 0 && key) {
        char *dir = resolve(r, key);
        sha256_hex(dir, strlen(dir), digest);
        *out = cJSON_CreateObject();
        cJSON_AddStringToObject(*out, "S3Bucket", HOT_RELOAD_BUCKET);
        cJSON_AddStringToObject(*out, "S3Key", dir);
        free(dir);
        return true;
    }
    if (bucket)
        return props_validation_fail(err, r,
                                     "#/Code/S3Bucket: sqsemu has no S3: use a local path (Code: ./dir or ./code.zip, "
                                     "SAM CodeUri: ./dir) or S3Bucket \"hot-reload\" with S3Key a directory");
    return props_validation_fail(err, r,
                                 "#/Code: one of ZipFile, S3Bucket \"hot-reload\" with S3Key, ImageUri, or a local path "
                                 "is required");
}
