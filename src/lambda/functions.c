/* lambda/functions: the function control plane: CreateFunction, Get*, ListFunctions,
 * UpdateFunctionCode/Configuration, DeleteFunction, with AWS's validation, defaults and
 * state fields; code kept as an unpacked zip or a hot-reload directory. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "code.h"
#include "code_dirs.h"
#include "lambda_internal.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"

#define HOT_RELOAD_BUCKET "hot-reload"
#define ENV_VARS_MAX_BYTES 4096
#define LIST_PAGE_MAX 50

static lambda_function *all_functions;

static const char *const known_runtimes[] = {
    "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
    "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "python2.7", "python3.6", "python3.7", "python3.8",
    "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14", "java8", "java8.al2",
    "java11", "java17", "java21", "java25", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
    "dotnet6", "dotnet8", "dotnet10", "go1.x", "ruby2.5", "ruby2.7", "ruby3.2", "ruby3.3", "ruby3.4", "provided",
    "provided.al2", "provided.al2023", NULL,
};

static const char *const reserved_env_keys[] = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    NULL,
};

/* ---- small helpers ---- */

const char *function_string(const lambda_function *f, const char *member)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->record, member));
}

int64_t function_int(const lambda_function *f, const char *member)
{
    return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f->record, member));
}

const char *function_code_dir(const lambda_function *f)
{
    return function_string(f, "CodeDir");
}

static void set_string(cJSON *obj, const char *name, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    cJSON_AddStringToObject(obj, name, value);
}

static void set_number(cJSON *obj, const char *name, double value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    cJSON_AddNumberToObject(obj, name, value);
}

static void set_item(cJSON *obj, const char *name, const cJSON *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    if (value)
        cJSON_AddItemToObject(obj, name, cJSON_Duplicate(value, true));
}

static void format_last_modified(int64_t now_ms, char out[64])
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(now_ms % 1000));
}

static void touch(lambda_function *f, int64_t now_ms)
{
    char text[64];
    format_last_modified(now_ms, text);
    set_string(f->record, "LastModified", text);
    char revision[UUID_STR_LEN];
    ids_uuid(revision);
    set_string(f->record, "RevisionId", revision);
    f->generation++;
}

static char *function_arn(const char *account, const char *region, const char *name)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "arn:aws:lambda:%s:%s:function:%s", region, account, name);
    return buf_detach(&b, NULL);
}

/* ---- the in-memory registry ---- */

lambda_function *functions_find(const char *account, const char *region, const char *name)
{
    for (lambda_function *f = all_functions; f; f = f->next) {
        if (strcmp(f->name, name) == 0 && strcmp(f->account, account) == 0 && strcmp(f->region, region) == 0)
            return f;
    }
    return NULL;
}

static lambda_function *function_new(int64_t id, const char *account, const char *region, const char *name,
                                     cJSON *record)
{
    lambda_function *f = xcalloc(1, sizeof *f);
    f->id = id;
    f->account = xstrdup(account);
    f->region = xstrdup(region);
    f->name = xstrdup(name);
    f->arn = function_arn(account, region, name);
    f->record = record;
    f->next = all_functions;
    all_functions = f;
    return f;
}

static void function_unlink(lambda_function *f)
{
    for (lambda_function **link = &all_functions; *link; link = &(*link)->next) {
        if (*link == f) {
            *link = f->next;
            return;
        }
    }
}

static void function_free(lambda_function *f)
{
    free(f->account);
    free(f->region);
    free(f->name);
    free(f->arn);
    cJSON_Delete(f->record);
    free(f);
}

/* Functions stored by a version of sqsemu that did not record which code directories it
 * created: an unpacked zip's directory that really lies in the data directory is adopted. */
static void adopt_code_dir(lambda_function *f)
{
    const char *dir = function_code_dir(f);
    if (!dir || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f->record, "HotReload")) ||
        !function_string(f, "CodeZip") || code_dir_owned(dir))
        return;
    char *adopted = code_dir_adopt(dir);
    if (!adopted)
        return;
    set_string(f->record, "CodeDir", adopted);
    buf_t zip;
    buf_init(&zip);
    buf_printf(&zip, "%s.zip", adopted);
    set_string(f->record, "CodeZip", zip.data);
    buf_free(&zip);
    free(adopted);
    function_save(f, NULL);
}

static void load_one(int64_t id, const char *account, const char *region, const char *name, const char *record,
                     void *arg)
{
    (void)arg;
    cJSON *parsed = cJSON_Parse(record);
    if (!cJSON_IsObject(parsed)) {
        log_warn("function %s: unreadable stored record, skipped", name);
        cJSON_Delete(parsed);
        return;
    }
    lambda_function *f = function_new(id, account, region, name, parsed);
    adopt_code_dir(f);
}

static bool dir_referenced(const char *dir)
{
    for (lambda_function *f = all_functions; f; f = f->next) {
        const char *current = function_code_dir(f);
        if (current && strcmp(current, dir) == 0)
            return true;
    }
    return false;
}

bool functions_load(void)
{
    if (!store_function_each(load_one, NULL))
        return false;
    code_dirs_sweep(dir_referenced);
    return true;
}

void functions_free_all(void)
{
    while (all_functions) {
        lambda_function *f = all_functions;
        all_functions = f->next;
        function_free(f);
    }
}

static bool not_found(lambda_error *err, const lambda_ctx *ctx, const char *name, const char *qualifier)
{
    return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Function not found: arn:aws:lambda:%s:%s:function:%s%s%s", ctx->region,
                       ctx->account, name, qualifier && *qualifier ? ":" : "", qualifier ? qualifier : "");
}

lambda_function *functions_resolve(const lambda_ctx *ctx, const char *name, const char *qualifier, bool qualified_404,
                                   lambda_error *err)
{
    function_ref ref;
    if (!function_ref_parse(ctx, name, &ref, err))
        return NULL;
    if (qualifier && *qualifier && *ref.qualifier && strcmp(qualifier, ref.qualifier) != 0) {
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "The derived qualifier from the function name does not match the specified qualifier.");
        return NULL;
    }
    const char *q = *ref.qualifier ? ref.qualifier : (qualifier ? qualifier : "");
    lambda_function *f = functions_find(ref.account, ref.region, ref.name);
    if (*q && strcmp(q, "$LATEST") != 0) {
        not_found(err, ctx, ref.name, q);
        return NULL;
    }
    if (!f)
        not_found(err, ctx, ref.name, qualified_404 ? (*q ? q : "$LATEST") : NULL);
    return f;
}

/* ---- validation ---- */

static bool validation(lambda_error *err, const char *value, const char *member, const char *constraint)
{
    return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                       "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member,
                       constraint);
}

static bool role_valid(const char *role)
{
    /* arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+ */
    if (strncmp(role, "arn:", 4) != 0)
        return false;
    const char *p = role + 4;
    if (strncmp(p, "aws", 3) == 0) {
        p += 3;
        while (isalpha((unsigned char)*p) || *p == '-')
            p++;
    }
    if (strncmp(p, ":iam::", 6) != 0)
        return false;
    p += 6;
    for (int i = 0; i < 12; i++, p++) {
        if (!isdigit((unsigned char)*p))
            return false;
    }
    if (strncmp(p, ":role", 5) != 0)
        return false;
    p += 5;
    if (*p == '/')
        p++;
    if (!*p)
        return false;
    for (; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("_+=,.@-/", *p))
            return false;
    }
    return true;
}

static bool runtime_known(const char *runtime)
{
    for (int i = 0; known_runtimes[i]; i++) {
        if (strcmp(known_runtimes[i], runtime) == 0)
            return true;
    }
    return false;
}

static bool command_available(const char *command)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = xstrdup(path);
    bool found = false;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        buf_t b;
        buf_init(&b);
        buf_printf(&b, "%s/%s", dir, command);
        found = access(b.data, X_OK) == 0;
        buf_free(&b);
    }
    free(copy);
    return found;
}

static bool check_runtime(const char *runtime, lambda_error *err)
{
    if (!runtime_known(runtime))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
                           "[nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, python3.9, python3.10, python3.11, "
                           "python3.12, python3.13, python3.14, java8.al2, java11, java17, java21, java25, dotnet8, "
                           "dotnet10, ruby3.2, ruby3.3, ruby3.4, provided.al2, provided.al2023] or be a valid ARN",
                           runtime);
    bool python = strncmp(runtime, "python3", 7) == 0, node = strncmp(runtime, "nodejs", 6) == 0;
    bool provided = strncmp(runtime, "provided", 8) == 0;
    if (!python && !node && !provided)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "The runtime %s is not available in sqsemu: it runs python3.x functions with python3, "
                           "nodejs functions with node and provided functions with their bootstrap.", runtime);
    if ((python && !command_available("python3")) || (node && !command_available("node")))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "The runtime %s is not available on this machine: %s was not found on the PATH.", runtime,
                           python ? "python3" : "node");
    return true;
}

static bool check_int_range(const cJSON *in, const char *member, const char *path, long min, long max,
                            lambda_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, member);
    if (!v || cJSON_IsNull(v))
        return true;
    char text[64];
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble)
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member %s", member);
    snprintf(text, sizeof text, "%ld", (long)v->valuedouble);
    char constraint[96];
    if ((long)v->valuedouble < min) {
        snprintf(constraint, sizeof constraint, "Member must have value greater than or equal to %ld", min);
        return validation(err, text, path, constraint);
    }
    if ((long)v->valuedouble > max) {
        snprintf(constraint, sizeof constraint, "Member must have value less than or equal to %ld", max);
        return validation(err, text, path, constraint);
    }
    return true;
}

static bool env_key_valid(const char *key)
{
    if (!isalpha((unsigned char)key[0]) || strlen(key) < 2)
        return false;
    for (const char *p = key; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    }
    return true;
}

static bool check_environment(const cJSON *environment, lambda_error *err)
{
    if (!environment || cJSON_IsNull(environment))
        return true;
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(environment, "Variables");
    if (!cJSON_IsObject(environment) || (vars && !cJSON_IsObject(vars) && !cJSON_IsNull(vars)))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member Environment");
    const cJSON *v;
    cJSON_ArrayForEach(v, vars)
    {
        if (!cJSON_IsString(v))
            return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member Variables");
        for (int i = 0; reserved_env_keys[i]; i++) {
            if (strcmp(reserved_env_keys[i], v->string) == 0)
                return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                                   "Lambda was unable to configure your environment variables because the environment "
                                   "variables you have provided contains reserved keys that are currently not "
                                   "supported for modification. Reserved keys used in this request: %s", v->string);
        }
        if (!env_key_valid(v->string))
            return validation(err, v->string, "environment.variables",
                              "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+");
    }
    char *text = cJSON_PrintUnformatted(vars ? vars : environment);
    size_t size = strlen(text);
    bool ok = size <= ENV_VARS_MAX_BYTES;
    if (!ok)
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "Lambda was unable to configure your environment variables because the environment variables you "
                    "have provided exceeded the 4KB limit. String measured: %.1500s", text);
    free(text);
    return ok;
}

static bool check_architectures(const cJSON *archs, lambda_error *err)
{
    if (!archs || cJSON_IsNull(archs))
        return true;
    if (!cJSON_IsArray(archs))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member Architectures");
    char *text = cJSON_PrintUnformatted(archs);
    /* AWS prints the list as [a, b]. */
    buf_t listed;
    buf_init(&listed);
    buf_putc(&listed, '[');
    const cJSON *item;
    cJSON_ArrayForEach(item, archs)
    {
        if (listed.len > 1)
            buf_puts(&listed, ", ");
        buf_puts(&listed, cJSON_IsString(item) ? item->valuestring : "null");
    }
    buf_putc(&listed, ']');
    free(text);
    text = buf_detach(&listed, NULL);
    bool ok = true;
    if (cJSON_GetArraySize(archs) > 1) {
        ok = validation(err, text, "architectures", "Member must have length less than or equal to 1");
    } else {
        const cJSON *a;
        cJSON_ArrayForEach(a, archs)
        {
            const char *v = cJSON_GetStringValue(a);
            if (!v || (strcmp(v, "x86_64") != 0 && strcmp(v, "arm64") != 0))
                ok = validation(err, text, "architectures",
                                "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
                                "Member must not be null]");
        }
    }
    free(text);
    return ok;
}

/* Checks the configuration members shared by CreateFunction and UpdateFunctionConfiguration. */
static bool check_configuration(const cJSON *in, lambda_error *err)
{
    const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Role"));
    if (role && !role_valid(role))
        return validation(err, role, "role",
                          "Member must satisfy regular expression pattern: "
                          "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    const char *runtime = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Runtime"));
    if (runtime && !check_runtime(runtime, err))
        return false;
    const char *handler = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Handler"));
    if (handler && (strlen(handler) > 128 || strpbrk(handler, " \t\r\n")))
        return validation(err, handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+");
    return check_int_range(in, "Timeout", "timeout", 1, 900, err) &&
           check_int_range(in, "MemorySize", "memorySize", 128, 10240, err) &&
           check_environment(cJSON_GetObjectItemCaseSensitive(in, "Environment"), err) &&
           check_architectures(cJSON_GetObjectItemCaseSensitive(in, "Architectures"), err);
}

/* ---- code ---- */

/* An execution environment that ran from dir is gone: dir goes too unless it is still
 * the function's current code. */
void functions_code_released(lambda_function *f, const char *dir);
void functions_code_released(lambda_function *f, const char *dir)
{
    const char *current = function_code_dir(f);
    if (f->deleted || !current || strcmp(dir, current) != 0)
        code_dir_release(dir);
}

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
static bool install_code(lambda_function *f, const cJSON *code, lambda_error *err)
{
    const char *zip_b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "ZipFile"));
    const char *bucket = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "S3Bucket"));
    const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "S3Key"));
    const char *image = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(code, "ImageUri"));
    if (image) {
        /* Accepted and stored; invoking it fails (no container engine here). */
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "CodeDir");
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "CodeZip");
        set_string(f->record, "ImageUri", image);
        set_string(f->record, "PackageType", "Image");
        char sha[CODE_SHA256_B64_LEN];
        code_sha256_base64(image, strlen(image), sha);
        set_string(f->record, "CodeSha256", sha);
        set_number(f->record, "CodeSize", 0);
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
        set_string(f->record, "CodeDir", resolved);
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "HotReload");
        cJSON_AddTrueToObject(f->record, "HotReload");
        char sha[CODE_SHA256_B64_LEN];
        code_sha256_base64(key, strlen(key), sha);
        set_string(f->record, "CodeSha256", sha);
        set_number(f->record, "CodeSize", 0);
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
    char *dir = code_dir_create(f->account, f->region, f->name);
    if (!dir) {
        free(zip);
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The function code could not be stored.");
    }
    char detail[256] = "";
    char *zip_path = NULL;
    bool ok = code_unpack_zip(zip, zip_len, dir, detail, sizeof detail) && keep_zip(dir, zip, zip_len, &zip_path);
    if (ok) {
        set_string(f->record, "CodeDir", dir);
        set_string(f->record, "CodeZip", zip_path);
        cJSON_DeleteItemFromObjectCaseSensitive(f->record, "HotReload");
        char sha[CODE_SHA256_B64_LEN];
        code_sha256_base64(zip, zip_len, sha);
        set_string(f->record, "CodeSha256", sha);
        set_number(f->record, "CodeSize", (double)zip_len);
    } else {
        code_dir_release(dir);
        log_debug("zip rejected: %s", detail);
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "Could not unzip uploaded file. Please check your file, then try to upload again.");
    }
    free(zip_path);
    free(dir);
    free(zip);
    return ok;
}

/* ---- output shapes ---- */

static const char *const copied_members[] = {
    "Runtime", "Role", "Handler", "CodeSize", "Description", "Timeout", "MemorySize", "LastModified", "CodeSha256",
    "Environment", "TracingConfig", "RevisionId", "PackageType", "Architectures", "EphemeralStorage",
    "DeadLetterConfig", "LoggingConfig", NULL,
};

static void add_configuration(const lambda_function *f, bool with_state, cJSON *out)
{
    cJSON_AddStringToObject(out, "FunctionName", f->name);
    cJSON_AddStringToObject(out, "FunctionArn", f->arn);
    for (int i = 0; copied_members[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->record, copied_members[i]);
        if (v)
            cJSON_AddItemToObject(out, copied_members[i], cJSON_Duplicate(v, true));
    }
    cJSON_AddStringToObject(out, "Version", "$LATEST");
    cJSON *snap = cJSON_AddObjectToObject(out, "SnapStart");
    cJSON_AddStringToObject(snap, "ApplyOn", "None");
    cJSON_AddStringToObject(snap, "OptimizationStatus", "Off");
    if (!with_state)
        return;
    cJSON_AddStringToObject(out, "State", "Active");
    cJSON_AddStringToObject(out, "LastUpdateStatus", "Successful");
    cJSON *runtime_version = cJSON_AddObjectToObject(out, "RuntimeVersionConfig");
    char sha[SHA256_HEX_LEN];
    const char *runtime = function_string(f, "Runtime");
    sha256_hex(runtime ? runtime : "", runtime ? strlen(runtime) : 0, sha);
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "arn:aws:lambda:%s::runtime:%s", f->region, sha);
    cJSON_AddStringToObject(runtime_version, "RuntimeVersionArn", arn.data);
    buf_free(&arn);
}

bool function_save(lambda_function *f, lambda_error *err)
{
    char *json = cJSON_PrintUnformatted(f->record);
    bool ok = store_function_update(f->id, json);
    free(json);
    return ok || lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be stored.");
}

/* ---- operations ---- */

static void apply_defaults(cJSON *record, const char *name)
{
    static const struct { const char *member; double value; } numbers[] = {{"Timeout", 3}, {"MemorySize", 128}};
    for (size_t i = 0; i < 2; i++) {
        if (!cJSON_GetObjectItemCaseSensitive(record, numbers[i].member))
            cJSON_AddNumberToObject(record, numbers[i].member, numbers[i].value);
    }
    if (!cJSON_GetObjectItemCaseSensitive(record, "Description"))
        cJSON_AddStringToObject(record, "Description", "");
    if (!cJSON_GetObjectItemCaseSensitive(record, "PackageType"))
        cJSON_AddStringToObject(record, "PackageType", "Zip");
    if (!cJSON_GetObjectItemCaseSensitive(record, "Architectures")) {
        cJSON *archs = cJSON_AddArrayToObject(record, "Architectures");
        cJSON_AddItemToArray(archs, cJSON_CreateString("x86_64"));
    }
    if (!cJSON_GetObjectItemCaseSensitive(record, "EphemeralStorage"))
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(record, "EphemeralStorage"), "Size", 512);
    if (!cJSON_GetObjectItemCaseSensitive(record, "TracingConfig"))
        cJSON_AddStringToObject(cJSON_AddObjectToObject(record, "TracingConfig"), "Mode", "PassThrough");
    if (!cJSON_GetObjectItemCaseSensitive(record, "LoggingConfig")) {
        cJSON *logging = cJSON_AddObjectToObject(record, "LoggingConfig");
        cJSON_AddStringToObject(logging, "LogFormat", "Text");
        buf_t group;
        buf_init(&group);
        buf_printf(&group, "/aws/lambda/%s", name);
        cJSON_AddStringToObject(logging, "LogGroup", group.data);
        buf_free(&group);
    }
}

static const char *const settable_members[] = {
    "Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment", "TracingConfig",
    "Architectures", "EphemeralStorage", "DeadLetterConfig", "LoggingConfig", NULL,
};

static void copy_settable(cJSON *record, const cJSON *in)
{
    for (int i = 0; settable_members[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, settable_members[i]);
        if (v && !cJSON_IsNull(v))
            set_item(record, settable_members[i], v);
    }
}

bool fn_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err)
{
    const char *name_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "FunctionName"));
    if (!name_text)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: "
                           "Member must not be null");
    function_ref ref;
    if (!function_ref_parse(ctx, name_text, &ref, err)) {
        if (err->kind == LAMBDA_ERR_VALIDATION && strstr(err->message, "length less than or equal to 64"))
            err->kind = LAMBDA_ERR_INVALID_PARAMETER;
        return false;
    }
    if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Role")))
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member "
                           "must not be null");
    if (!check_configuration(in, err))
        return false;
    const char *package = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "PackageType"));
    if ((!package || strcmp(package, "Zip") == 0) &&
        (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Runtime")) ||
         !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Handler"))))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Runtime and Handler are mandatory parameters for functions created with deployment "
                           "packages.");
    const cJSON *given_tags = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (given_tags && !cJSON_IsNull(given_tags) && !tags_check(given_tags, NULL, err))
        return false;
    if (functions_find(ref.account, ref.region, ref.name))
        return lambda_fail(err, LAMBDA_ERR_CONFLICT, "Function already exist: %s", ref.name);
    cJSON *record = cJSON_CreateObject();
    copy_settable(record, in);
    apply_defaults(record, ref.name);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (cJSON_IsObject(tags) && cJSON_GetArraySize(tags) > 0)
        set_item(record, "Tags", tags);
    lambda_function *f = function_new(-1, ref.account, ref.region, ref.name, record);
    touch(f, ctx->now_ms);
    bool ok = install_code(f, cJSON_GetObjectItemCaseSensitive(in, "Code"), err);
    if (ok) {
        char *json = cJSON_PrintUnformatted(f->record);
        f->id = store_function_insert(f->account, f->region, f->name, json);
        free(json);
        ok = f->id >= 0 || lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be stored.");
    }
    if (!ok) {
        code_dir_release(function_code_dir(f));
        function_unlink(f);
        function_free(f);
        return false;
    }
    add_configuration(f, true, out);
    mappings_function_changed();
    return true;
}

bool fn_get_configuration(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out,
                          lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, qualifier, false, err);
    if (!f)
        return false;
    add_configuration(f, true, out);
    return true;
}

bool fn_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, qualifier, false, err);
    if (!f)
        return false;
    add_configuration(f, true, cJSON_AddObjectToObject(out, "Configuration"));
    cJSON *code = cJSON_AddObjectToObject(out, "Code");
    cJSON_AddStringToObject(code, "RepositoryType", "S3");
    buf_t location;
    buf_init(&location);
    buf_printf(&location, "%s/_sqsemu/lambda/code/%s.zip", lambda_config()->endpoint_url, f->name);
    cJSON_AddStringToObject(code, "Location", location.data);
    buf_free(&location);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(f->record, "Tags");
    if (cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(out, "Tags", cJSON_Duplicate(tags, true));
    return true;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp((*(lambda_function *const *)a)->name, (*(lambda_function *const *)b)->name);
}

bool fn_list(const lambda_ctx *ctx, const char *marker, const char *max_items, const char *version, cJSON *out,
             lambda_error *err)
{
    if (version && strcmp(version, "ALL") != 0)
        return validation(err, version, "functionVersion", "Member must satisfy enum value set: [ALL]");
    long page = LIST_PAGE_MAX;
    if (max_items) {
        char *end;
        page = strtol(max_items, &end, 10);
        if (*end || page < 1 || page > 10000)
            return validation(err, max_items, "maxItems", "Member must have value between 1 and 10000");
        if (page > LIST_PAGE_MAX)
            page = LIST_PAGE_MAX;
    }
    size_t count = 0;
    for (lambda_function *f = all_functions; f; f = f->next)
        count++;
    lambda_function **sorted = xmalloc((count ? count : 1) * sizeof *sorted);
    size_t n = 0;
    for (lambda_function *f = all_functions; f; f = f->next) {
        if (strcmp(f->account, ctx->account) == 0 && strcmp(f->region, ctx->region) == 0)
            sorted[n++] = f;
    }
    qsort(sorted, n, sizeof *sorted, compare_names);
    size_t start = 0;
    if (marker && *marker) {
        size_t len = 0;
        unsigned char *after = base64_decode(marker, strlen(marker), &len);
        while (after && start < n && strcmp(sorted[start]->name, (const char *)after) <= 0)
            start++;
        free(after);
    }
    cJSON *list = cJSON_AddArrayToObject(out, "Functions");
    size_t end = start + (size_t)page < n ? start + (size_t)page : n;
    for (size_t i = start; i < end; i++) {
        cJSON *item = cJSON_CreateObject();
        add_configuration(sorted[i], false, item);
        cJSON_AddItemToArray(list, item);
    }
    if (end < n) {
        char *next = base64_encode(sorted[end - 1]->name, strlen(sorted[end - 1]->name));
        cJSON_AddStringToObject(out, "NextMarker", next);
        free(next);
    }
    free(sorted);
    return true;
}

static bool revision_matches(const lambda_function *f, const cJSON *in, lambda_error *err)
{
    const char *wanted = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "RevisionId"));
    const char *current = function_string(f, "RevisionId");
    if (wanted && current && strcmp(wanted, current) != 0)
        return lambda_fail(err, LAMBDA_ERR_PRECONDITION,
                           "The Revision Id provided does not match the latest Revision Id. Call the "
                           "GetFunction/GetAlias API to retrieve the latest Revision Id");
    return true;
}

/* Applies a change to a copy of the record; keeps the old one if anything fails. */
/* Keeps the change to f->record if it is stored, else restores `previous`. Whichever code
 * directory lost (the old one, or a freshly unpacked one) is released. */
static bool commit_change(const lambda_ctx *ctx, lambda_function *f, cJSON *previous, bool ok, cJSON *out,
                          lambda_error *err)
{
    if (ok) {
        touch(f, ctx->now_ms);
        ok = function_save(f, err);
    }
    const char *old_dir = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(previous, "CodeDir"));
    const char *new_dir = function_code_dir(f);
    bool code_changed = new_dir && (!old_dir || strcmp(old_dir, new_dir) != 0);
    if (!ok) {
        if (code_changed)
            code_dir_release(new_dir);
        cJSON_Delete(f->record);
        f->record = previous;
        return false;
    }
    executor_retire(f);
    if (code_changed || !new_dir)
        code_dir_release(old_dir); /* at once, or when its last environment is gone */
    cJSON_Delete(previous);
    add_configuration(f, true, out);
    mappings_function_changed();
    return true;
}

bool fn_update_code(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out, lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
    if (!f || !revision_matches(f, in, err))
        return false;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "DryRun"))) {
        add_configuration(f, true, out);
        return true;
    }
    if (!check_architectures(cJSON_GetObjectItemCaseSensitive(in, "Architectures"), err))
        return false;
    cJSON *previous = cJSON_Duplicate(f->record, true);
    bool ok = install_code(f, in, err);
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(in, "Architectures");
    if (archs && !cJSON_IsNull(archs))
        set_item(f->record, "Architectures", archs);
    return commit_change(ctx, f, previous, ok, out, err);
}

bool fn_update_configuration(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out,
                             lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
    if (!f || !revision_matches(f, in, err) || !check_configuration(in, err))
        return false;
    cJSON *previous = cJSON_Duplicate(f->record, true);
    copy_settable(f->record, in);
    return commit_change(ctx, f, previous, true, out, err);
}

bool fn_delete(const lambda_ctx *ctx, const char *name, const char *qualifier, lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, qualifier, false, err);
    if (!f)
        return false;
    if (!store_function_delete(f->id))
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be deleted.");
    function_unlink(f);
    f->deleted = true;
    executor_retire(f);
    code_dir_release(function_code_dir(f)); /* at once, or when its last environment is gone */
    mappings_function_changed();
    if (f->env_count == 0 && f->running == 0)
        function_free(f);
    return true;
}

/* Called by the executor when the last environment of a deleted function is gone. */
void functions_release(lambda_function *f);
void functions_release(lambda_function *f)
{
    if (f->deleted && f->env_count == 0 && f->running == 0)
        function_free(f);
}
