/* lambda/function_validate: AWS's rules for a function's configuration members (Role,
 * Runtime, Handler, Timeout, MemorySize, Environment, Architectures), each failure with
 * Lambda's own error text (AWS Lambda API Reference, CreateFunction). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "function_validate.h"
#include "sqsemu/buf.h"

#define ENV_VARS_MAX_BYTES 4096

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

bool function_validation_error(lambda_error *err, const char *value, const char *member, const char *constraint)
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
        return function_validation_error(err, text, path, constraint);
    }
    if ((long)v->valuedouble > max) {
        snprintf(constraint, sizeof constraint, "Member must have value less than or equal to %ld", max);
        return function_validation_error(err, text, path, constraint);
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
            return function_validation_error(err, v->string, "environment.variables",
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

bool function_check_architectures(const cJSON *archs, lambda_error *err)
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
        ok = function_validation_error(err, text, "architectures", "Member must have length less than or equal to 1");
    } else {
        const cJSON *a;
        cJSON_ArrayForEach(a, archs)
        {
            const char *v = cJSON_GetStringValue(a);
            if (!v || (strcmp(v, "x86_64") != 0 && strcmp(v, "arm64") != 0))
                ok = function_validation_error(err, text, "architectures",
                                "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
                                "Member must not be null]");
        }
    }
    free(text);
    return ok;
}

bool function_check_configuration(const cJSON *in, lambda_error *err)
{
    const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Role"));
    if (role && !role_valid(role))
        return function_validation_error(err, role, "role",
                          "Member must satisfy regular expression pattern: "
                          "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    const char *runtime = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Runtime"));
    if (runtime && !check_runtime(runtime, err))
        return false;
    const char *handler = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Handler"));
    if (handler && (strlen(handler) > 128 || strpbrk(handler, " \t\r\n")))
        return function_validation_error(err, handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+");
    return check_int_range(in, "Timeout", "timeout", 1, 900, err) &&
           check_int_range(in, "MemorySize", "memorySize", 128, 10240, err) &&
           check_environment(cJSON_GetObjectItemCaseSensitive(in, "Environment"), err) &&
           function_check_architectures(cJSON_GetObjectItemCaseSensitive(in, "Architectures"), err);
}

bool function_page_size(const char *max_items, long page_max, long *page, lambda_error *err)
{
    *page = page_max;
    if (!max_items)
        return true;
    char *end;
    long n = strtol(max_items, &end, 10);
    if (!*max_items || *end || n < 1 || n > 10000)
        return function_validation_error(err, max_items, "maxItems", "Member must have value between 1 and 10000");
    *page = n < page_max ? n : page_max;
    return true;
}
