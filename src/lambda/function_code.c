/* lambda/function_code: a function's code as given to CreateFunction/UpdateFunctionCode:
 * a ZipFile unpacked into a directory sqsemu owns (the archive kept beside it for
 * GetFunction's Code.Location), a hot-reload directory of the user's own (S3Bucket
 * "hot-reload", S3Key an absolute path outside the data directory), or an image URI
 * (stored; not runnable here). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "code.h"
#include "code_dirs.h"
#include "function_code.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"

#define HOT_RELOAD_BUCKET "hot-reload"

/* Keeps the uploaded archive next to its unpacked directory, for GetFunction's Code.Location. */
static bool keep_zip(const char *dir, const unsigned char *zip, size_t len, char **path)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s.zip", dir);
    int fd = open(b.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, zip + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += ok ? (size_t)n : 0;
    }
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (!ok && fd >= 0)
        unlink(b.data);
    *path = buf_detach(&b, NULL);
    return ok;
}

char *function_code_zip(const lambda_function *f, size_t *len)
{
    const char *path = function_string(f, "CodeZip");
    FILE *in = path ? fopen(path, "rb") : NULL;
    if (!in)
        return NULL;
    buf_t b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        buf_append(&b, chunk, n);
    fclose(in);
    return buf_detach(&b, len);
}

/* Installs the code given in `code` (a Code member, or UpdateFunctionCode's input) into
 * f->record: unpacks a ZipFile into a fresh directory or records a hot-reload directory.
 * The previous code stays on disk: the caller releases it once the change is committed. */
bool function_install_code(lambda_function *f, const cJSON *code, lambda_error *err)
{
    const char *zip_b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "ZipFile"));
    const char *bucket = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "S3Bucket"));
    const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "S3Key"));
    const char *image = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "ImageUri"));
    if (image) {
        /* Accepted and stored; invoking it fails (no container engine here). */
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "CodeDir");
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "CodeZip");
        json_set_string(f->record, "ImageUri", image);
        json_set_string(f->record, "PackageType", "Image");
        char sha[CODE_SHA256_B64_LEN];
        code_sha256_base64(image, strlen(image), sha);
        json_set_string(f->record, "CodeSha256", sha);
        json_set_number(f->record, "CodeSize", 0);
        return true;
    }
    if (bucket && strcmp(bucket, HOT_RELOAD_BUCKET) == 0) {
        char resolved[PATH_MAX];
        struct stat st;
        if (!key || key[0] != '/' || !realpath(key, resolved) || stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode))
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "S3Key must be an absolute path of an existing directory when S3Bucket is hot-reload.");
        if (code_dirs_inside_data_dir(resolved))
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "S3Key %s is inside sqsemu's data directory: a hot-reload directory must be your own "
                               "code, outside the data directory.", key);
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "CodeZip");
        json_set_string(f->record, "CodeDir", resolved);
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "HotReload");
        cJSON_AddTrueToObject(f->record, "HotReload");
        char sha[CODE_SHA256_B64_LEN];
        code_sha256_base64(key, strlen(key), sha);
        json_set_string(f->record, "CodeSha256", sha);
        json_set_number(f->record, "CodeSize", 0);
        return true;
    }
    if (bucket)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
                           "specified bucket does not exist");
    if (!zip_b64)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Please provide a source for function code (ZipFile, or S3Bucket \"hot-reload\" with an "
                           "absolute directory in S3Key).");
    size_t zip_len = 0;
    unsigned char *zip = base64_decode(zip_b64, strlen(zip_b64), &zip_len);
    if (!zip)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Could not unzip uploaded file. Please check your file, then try to upload again.");
    bool ok = function_install_zip(f, zip, zip_len, err);
    free(zip);
    return ok;
}

bool function_install_zip(lambda_function *f, const unsigned char *zip, size_t zip_len, lambda_error *err)
{
    char *dir = code_dir_create(f->account, f->region, f->name);
    if (!dir)
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The function code could not be stored.");
    char detail[256] = "";
    char *zip_path = NULL;
    bool ok = code_unpack_zip(zip, zip_len, dir, detail, sizeof detail) && keep_zip(dir, zip, zip_len, &zip_path);
    if (ok) {
        json_set_string(f->record, "CodeDir", dir);
        json_set_string(f->record, "CodeZip", zip_path);
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "HotReload");
        char sha[CODE_SHA256_B64_LEN];
        code_sha256_base64(zip, zip_len, sha);
        json_set_string(f->record, "CodeSha256", sha);
        json_set_number(f->record, "CodeSize", (double)zip_len);
    } else {
        code_dir_release(dir);
        log_debug("zip rejected: %s", detail);
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "Could not unzip uploaded file. Please check your file, then try to upload again.");
    }
    free(zip_path);
    free(dir);
    return ok;
}
