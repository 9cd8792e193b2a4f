/* cfn/sam_function: one AWS::Serverless::Function into plain CloudFormation, with the
 * resources and logical ids AWS SAM generates (AWS SAM Developer Guide,
 * "AWS::Serverless::Function" and "Generated AWS CloudFormation resources"):
 *   <Id>                    AWS::Lambda::Function (Code from CodeUri or InlineCode, Tags with
 *                           lambda:createdBy=SAM first, DeadLetterQueue -> DeadLetterConfig)
 *   <Id>Role                AWS::IAM::Role, when Role is absent (sam_role.c)
 *   <Id>Version<hash>       AWS::Lambda::Version, DeletionPolicy Retain (AutoPublishAlias)
 *   <Id>Alias<Name>         AWS::Lambda::Alias (AutoPublishAlias; '-' -> 'D', '_' -> 'U')
 *   <Id>EventInvokeConfig   AWS::Lambda::EventInvokeConfig (Qualifier: the alias or $LATEST)
 *   <Id><EventId>           AWS::Lambda::EventSourceMapping for each SQS event
 * <hash> is SAM's: the first 10 hex digits of the SHA-1 of the compact, key-sorted JSON of
 * the Code dictionary with the Environment members and MemorySize added (or of
 * AutoPublishCodeSha256 when given), so that a change of code publishes a new version.
 *
 * Not emulated: PackageType Image, event types other than SQS, DeploymentPreference and
 * FunctionUrlConfig are refused with a clear message; parameter references inside Code are
 * not resolved before hashing (SAM resolves them), and a local CodeUri (which SAM itself
 * refuses until `sam package` uploads it) becomes Code: "<path>" for the Lambda provider. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "sam_internal.h"

#define MAX_ID 256

/* The properties of AWS::Serverless::Function that this transform knows. */
static const char *const known_props[] = {
    "Handler", "Runtime", "CodeUri", "InlineCode", "DeadLetterQueue", "Description", "MemorySize", "Timeout",
    "VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
    "AutoPublishAliasAllProperties", "AutoPublishCodeSha256", "VersionDescription", "Layers", "RolePath",
    "PermissionsBoundary", "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig",
    "AssumeRolePolicyDocument", "EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn",
    "Architectures", "SnapStart", "EphemeralStorage", "RuntimeManagementConfig", "LoggingConfig",
    "RecursiveLoop", "SourceKMSKeyArn", "Role", "Policies", "FunctionName", "Events", "PackageType", "ImageUri",
    "ImageConfig", "DeploymentPreference", "FunctionUrlConfig",
};
/* Copied unchanged onto AWS::Lambda::Function. */
static const char *const passed_props[] = {
    "Description", "FunctionName", "Handler", "MemorySize", "Runtime", "Timeout", "Environment", "Layers",
    "ReservedConcurrentExecutions", "VpcConfig", "KmsKeyArn", "Architectures", "EphemeralStorage",
    "FileSystemConfigs", "CodeSigningConfigArn", "SnapStart", "RuntimeManagementConfig", "LoggingConfig",
    "RecursiveLoop",
};
/* The SQS event's properties (SAM's pull event sources), copied onto the mapping. */
static const char *const sqs_event_props[] = {
    "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria",
    "ScalingConfig", "MetricsConfig", "KmsKeyArn",
};

typedef struct fn_ctx {
    const char *id;
    const cJSON *props;
    cJSON *out;
    cJSON *function_props; /* the AWS::Lambda::Function's Properties */
    cJSON *role_policies;  /* inline policies SAM adds to the role */
    char alias_id[MAX_ID * 2];
    const char *alias_name;
    cfn_error *err;
} fn_ctx;

static bool listed(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}
#define LISTED(name, list) listed(name, list, sizeof list / sizeof *list)

static bool bad_resource(fn_ctx *f, const char *msg)
{
    return sam_invalid(f->err, "Resource with id [%s] is invalid. %s", f->id, msg);
}

static cJSON *ref(const char *id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Ref", id);
    return o;
}

static cJSON *getatt(const char *id, const char *attr)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(o, "Fn::GetAtt");
    cJSON_AddItemToArray(a, cJSON_CreateString(id));
    cJSON_AddItemToArray(a, cJSON_CreateString(attr));
    return o;
}

static cJSON *new_resource(fn_ctx *f, const char *id, const char *type)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "Type", type);
    cJSON_AddItemToObject(f->out, id, r);
    return r;
}

static void copy_member(cJSON *to, const char *to_name, const cJSON *from, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);
    if (v)
        cJSON_AddItemToObject(to, to_name, cJSON_Duplicate(v, true));
}

/* An inline policy {PolicyName, PolicyDocument: {Statement: [{Action, Effect, Resource}]}}. */
static void add_policy(fn_ctx *f, const char *name, const char *action, const cJSON *resource, bool versioned)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "PolicyName", name);
    cJSON *doc = cJSON_AddObjectToObject(p, "PolicyDocument");
    if (versioned)
        cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "Action", action);
    cJSON_AddStringToObject(st, "Effect", "Allow");
    cJSON_AddItemToObject(st, "Resource", cJSON_Duplicate(resource, true));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "Statement"), st);
    cJSON_AddItemToArray(f->role_policies, p);
}

/* ---- Code ------------------------------------------------------------------------------ */

/* s3://bucket/key[?versionId=v] -> {S3Bucket, S3Key[, S3ObjectVersion]}; NULL otherwise. */
static cJSON *code_from_s3_uri(const char *uri)
{
    if (strncmp(uri, "s3://", 5) != 0)
        return NULL;
    const char *bucket = uri + 5, *slash = strchr(bucket, '/');
    if (!slash || slash == bucket || !slash[1])
        return NULL;
    char *b = strndup(bucket, (size_t)(slash - bucket));
    const char *key = slash + 1, *q = strstr(key, "?versionId=");
    char *k = q ? strndup(key, (size_t)(q - key)) : strdup(key);
    cJSON *code = cJSON_CreateObject();
    cJSON_AddStringToObject(code, "S3Bucket", b ? b : "");
    cJSON_AddStringToObject(code, "S3Key", k ? k : "");
    if (q)
        cJSON_AddStringToObject(code, "S3ObjectVersion", q + 11);
    free(b);
    free(k);
    return code;
}

static bool set_code(fn_ctx *f)
{
    const cJSON *inline_code = cJSON_GetObjectItemCaseSensitive(f->props, "InlineCode");
    const cJSON *uri = cJSON_GetObjectItemCaseSensitive(f->props, "CodeUri");
    cJSON *code = NULL;
    if (inline_code) {
        code = cJSON_CreateObject();
        cJSON_AddItemToObject(code, "ZipFile", cJSON_Duplicate(inline_code, true));
    } else if (cJSON_IsString(uri)) {
        code = code_from_s3_uri(uri->valuestring);
        if (!code) /* a local directory or zip: the Lambda provider resolves it */
            code = cJSON_CreateString(uri->valuestring);
    } else if (cJSON_IsObject(uri) && !sam_is_intrinsic(uri)) {
        const cJSON *bucket = cJSON_GetObjectItemCaseSensitive(uri, "Bucket");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(uri, "Key");
        if (!bucket || !key)
            return bad_resource(f, "'CodeUri' requires Bucket and Key properties to be specified.");
        code = cJSON_CreateObject();
        copy_member(code, "S3Bucket", uri, "Bucket");
        copy_member(code, "S3Key", uri, "Key");
        copy_member(code, "S3ObjectVersion", uri, "Version");
    } else {
        return bad_resource(f, "Only one of 'InlineCode' or 'CodeUri' can be set.");
    }
    cJSON_AddItemToObject(f->function_props, "Code", code);
    return true;
}

/* ---- tags ------------------------------------------------------------------------------ */

static cJSON *tag_list(fn_ctx *f, bool *ok)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(f->props, "Tags");
    *ok = true;
    if (tags && !cJSON_IsObject(tags)) {
        *ok = bad_resource(f, "Type of property 'Tags' is invalid.");
        return NULL;
    }
    static const char *const reserved[] = {"lambda:createdBy", "serverlessrepo:applicationId",
                                           "serverlessrepo:semanticVersion"};
    cJSON *list = cJSON_CreateArray();
    cJSON *sam = cJSON_CreateObject();
    cJSON_AddStringToObject(sam, "Key", "lambda:createdBy");
    cJSON_AddStringToObject(sam, "Value", "SAM");
    cJSON_AddItemToArray(list, sam);
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        if (LISTED(t->string, reserved)) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s is a reserved Tag key name and cannot be set on your resource. Please "
                     "change the tag key in the input.", t->string);
            cJSON_Delete(list);
            *ok = bad_resource(f, msg);
            return NULL;
        }
        cJSON *tag = cJSON_CreateObject();
        cJSON_AddStringToObject(tag, "Key", t->string);
        cJSON_AddItemToObject(tag, "Value", cJSON_IsNull(t) ? cJSON_CreateString("") : cJSON_Duplicate(t, true));
        cJSON_AddItemToArray(list, tag);
    }
    return list;
}

/* ---- dead-letter queue ----------------------------------------------------------------- */

static bool set_dead_letter_queue(fn_ctx *f)
{
    const cJSON *dlq = cJSON_GetObjectItemCaseSensitive(f->props, "DeadLetterQueue");
    if (!dlq)
        return true;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(dlq, "Type");
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(dlq, "TargetArn");
    if (!cJSON_IsObject(dlq) || !type || !target)
        return bad_resource(f, "'DeadLetterQueue' requires Type and TargetArn properties to be specified.");
    bool sqs = cJSON_IsString(type) && strcmp(type->valuestring, "SQS") == 0;
    bool sns = cJSON_IsString(type) && strcmp(type->valuestring, "SNS") == 0;
    if (!sqs && !sns)
        return bad_resource(f, "'DeadLetterQueue' requires Type of ['SQS', 'SNS']");
    cJSON *config = cJSON_AddObjectToObject(f->function_props, "DeadLetterConfig");
    cJSON_AddItemToObject(config, "TargetArn", cJSON_Duplicate(target, true));
    add_policy(f, "DeadLetterQueuePolicy", sqs ? "sqs:SendMessage" : "sns:publish", target, true);
    return true;
}

/* ---- AutoPublishAlias ------------------------------------------------------------------ */

/* Python's json.dumps(v, separators=(",", ":"), sort_keys=True) (ASCII output). */
static void dump_sorted(const cJSON *v, char **buf, size_t *len, size_t *cap);

static void put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t ncap = (*cap ? *cap * 2 : 256) + n;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static void dump_string(const char *s, char **buf, size_t *len, size_t *cap)
{
    put(buf, len, cap, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        char esc[16];
        unsigned cp = *p;
        size_t used = 1;
        if (cp >= 0x80) { /* decode UTF-8 to escape it as Python does */
            int extra = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : 1;
            cp &= 0x3fu >> extra;
            for (int i = 1; i <= extra && p[i]; i++, used++)
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp == '"' || cp == '\\')
            snprintf(esc, sizeof esc, "\\%c", (char)cp);
        else if (cp == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (cp == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else if (cp == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (cp == '\b')
            snprintf(esc, sizeof esc, "\\b");
        else if (cp == '\f')
            snprintf(esc, sizeof esc, "\\f");
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0x10000))
            snprintf(esc, sizeof esc, cp == 0x7f ? "\x7f" : "\\u%04x", cp);
        else if (cp >= 0x10000)
            snprintf(esc, sizeof esc, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
        else
            snprintf(esc, sizeof esc, "%c", (char)cp);
        put(buf, len, cap, esc, strlen(esc));
        p += used;
    }
    put(buf, len, cap, "\"", 1);
}

static int cmp_members(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void dump_sorted(const cJSON *v, char **buf, size_t *len, size_t *cap)
{
    if (cJSON_IsObject(v)) {
        int n = cJSON_GetArraySize(v);
        const cJSON **m = calloc((size_t)n + 1, sizeof *m);
        if (!m)
            return;
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, v) m[i++] = c;
        qsort(m, (size_t)n, sizeof *m, cmp_members);
        put(buf, len, cap, "{", 1);
        for (i = 0; i < n; i++) {
            if (i)
                put(buf, len, cap, ",", 1);
            dump_string(m[i]->string, buf, len, cap);
            put(buf, len, cap, ":", 1);
            dump_sorted(m[i], buf, len, cap);
        }
        put(buf, len, cap, "}", 1);
        free(m);
    } else if (cJSON_IsArray(v)) {
        put(buf, len, cap, "[", 1);
        const cJSON *c;
        cJSON_ArrayForEach(c, v) {
            if (c != v->child)
                put(buf, len, cap, ",", 1);
            dump_sorted(c, buf, len, cap);
        }
        put(buf, len, cap, "]", 1);
    } else if (cJSON_IsString(v)) {
        dump_string(v->valuestring, buf, len, cap);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        if (s)
            put(buf, len, cap, s, strlen(s));
        free(s);
    }
}

/* A string of digits stands for the number a YAML or JSON template would give SAM. */
static cJSON *as_number_if_integer(const cJSON *v)
{
    if (cJSON_IsString(v) && v->valuestring[0]) {
        const char *p = v->valuestring;
        while (isdigit((unsigned char)*p))
            p++;
        if (!*p && strlen(v->valuestring) < 10)
            return cJSON_CreateNumber(atof(v->valuestring));
    }
    return cJSON_Duplicate(v, true);
}

static void version_hash(fn_ctx *f, char hex[11])
{
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(f->props, "AutoPublishCodeSha256");
    if (cJSON_IsString(sha)) {
        snprintf(hex, 11, "%s", sha->valuestring);
        return;
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(f->function_props, "Code");
    cJSON *d = cJSON_IsObject(code) ? cJSON_Duplicate(code, true) : cJSON_CreateObject();
    if (cJSON_IsString(code))
        cJSON_AddStringToObject(d, "CodeUri", code->valuestring);
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(f->props, "Environment");
    const cJSON *e, *vars = cJSON_IsObject(env) ? env : NULL;
    cJSON_ArrayForEach(e, vars) {
        cJSON_DeleteItemFromObjectCaseSensitive(d, e->string);
        cJSON_AddItemToObject(d, e->string, cJSON_Duplicate(e, true));
    }
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(f->props, "MemorySize");
    if (mem && !cJSON_IsNull(mem)) {
        cJSON_DeleteItemFromObjectCaseSensitive(d, "MemorySize");
        cJSON_AddItemToObject(d, "MemorySize", as_number_if_integer(mem));
    }
    hex[0] = '\0';
    if (d->child) { /* SAM hashes nothing for an empty dictionary */
        char *buf = NULL;
        size_t len = 0, cap = 0;
        dump_sorted(d, &buf, &len, &cap);
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)(buf ? buf : ""), len, md);
        for (int i = 0; i < 5; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        free(buf);
    }
    cJSON_Delete(d);
}

static bool valid_alias_name(const char *s)
{
    bool all_digits = true;
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
        all_digits = all_digits && isdigit((unsigned char)*p);
    }
    return !all_digits;
}

static bool add_alias(fn_ctx *f)
{
    const cJSON *alias = cJSON_GetObjectItemCaseSensitive(f->props, "AutoPublishAlias");
    if (!alias || cJSON_IsNull(alias))
        return true;
    if (!cJSON_IsString(alias))
        return bad_resource(f, "Type of property 'AutoPublishAlias' is invalid.");
    const char *name = alias->valuestring;
    if (!valid_alias_name(name) || strlen(name) > 128) {
        char msg[512];
        snprintf(msg, sizeof msg, "AutoPublishAlias name ('%.128s') must contain only alphanumeric characters, "
                 "hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.", name);
        return bad_resource(f, msg);
    }
    char hex[11], version_id[MAX_ID * 2];
    version_hash(f, hex);
    snprintf(version_id, sizeof version_id, "%sVersion%s", f->id, hex);
    cJSON *v = new_resource(f, version_id, "AWS::Lambda::Version");
    cJSON_AddStringToObject(v, "DeletionPolicy", "Retain");
    cJSON *vp = cJSON_AddObjectToObject(v, "Properties");
    cJSON_AddItemToObject(vp, "FunctionName", ref(f->id));
    copy_member(vp, "Description", f->props, "VersionDescription");

    int n = snprintf(f->alias_id, sizeof f->alias_id, "%sAlias", f->id);
    for (const char *p = name; *p && (size_t)n + 1 < sizeof f->alias_id; p++)
        f->alias_id[n++] = *p == '-' ? 'D' : *p == '_' ? 'U' : *p;
    f->alias_id[n] = '\0';
    f->alias_name = name;
    cJSON *a = new_resource(f, f->alias_id, "AWS::Lambda::Alias");
    cJSON *ap = cJSON_AddObjectToObject(a, "Properties");
    cJSON_AddStringToObject(ap, "Name", name);
    cJSON_AddItemToObject(ap, "FunctionName", ref(f->id));
    cJSON_AddItemToObject(ap, "FunctionVersion", getatt(version_id, "Version"));
    copy_member(ap, "ProvisionedConcurrencyConfig", f->props, "ProvisionedConcurrencyConfig");
    return true;
}

/* ---- EventInvokeConfig ----------------------------------------------------------------- */

static const char *destination_action(const char *type)
{
    static const char *const map[][2] = {
        {"SQS", "sqs:SendMessage"}, {"SNS", "sns:publish"}, {"Lambda", "lambda:InvokeFunction"},
        {"EventBridge", "events:PutEvents"}, {"S3Bucket", "s3:PutObject"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(type, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static bool add_destination(fn_ctx *f, const char *eic_id, const cJSON *in, const char *which, cJSON *dest_out)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(in, which);
    if (!c)
        return true;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "Type");
    const char *action = cJSON_IsString(type) ? destination_action(type->valuestring) : NULL;
    if (!cJSON_IsObject(c) || !action) {
        char msg[256];
        snprintf(msg, sizeof msg, "'Type: %.64s' must be one of ['SQS', 'SNS', 'EventBridge', 'Lambda', 'S3Bucket']",
                 cJSON_IsString(type) ? type->valuestring : "None");
        return bad_resource(f, msg);
    }
    const cJSON *dest = cJSON_GetObjectItemCaseSensitive(c, "Destination");
    char made[MAX_ID * 2 + 64], policy[MAX_ID * 2 + 64];
    cJSON *arn = NULL;
    if (!dest) { /* SAM creates the queue or topic */
        bool sqs = strcmp(type->valuestring, "SQS") == 0;
        if (!sqs && strcmp(type->valuestring, "SNS") != 0)
            return bad_resource(f, "Destination is required if Type is not ['SQS', 'SNS']");
        snprintf(made, sizeof made, "%s%s%s", eic_id, which, sqs ? "Queue" : "Topic");
        new_resource(f, made, sqs ? "AWS::SQS::Queue" : "AWS::SNS::Topic");
        arn = sqs ? getatt(made, "Arn") : ref(made);
    } else {
        arn = cJSON_Duplicate(dest, true);
    }
    snprintf(policy, sizeof policy, "%s%s%sPolicy", eic_id, which, type->valuestring);
    add_policy(f, policy, action, arn, false);
    cJSON_AddItemToObject(cJSON_AddObjectToObject(dest_out, which), "Destination", arn);
    return true;
}

static bool add_event_invoke_config(fn_ctx *f)
{
    const cJSON *eic = cJSON_GetObjectItemCaseSensitive(f->props, "EventInvokeConfig");
    if (!eic)
        return true;
    if (!cJSON_IsObject(eic))
        return bad_resource(f, "Type of property 'EventInvokeConfig' is invalid.");
    char id[MAX_ID * 2];
    snprintf(id, sizeof id, "%sEventInvokeConfig", f->id);
    cJSON *r = new_resource(f, id, "AWS::Lambda::EventInvokeConfig");
    if (f->alias_name)
        cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "DependsOn"), cJSON_CreateString(f->alias_id));
    cJSON *p = cJSON_AddObjectToObject(r, "Properties");
    cJSON *dest = cJSON_AddObjectToObject(p, "DestinationConfig");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(eic, "DestinationConfig");
    if (in && !cJSON_IsObject(in))
        return bad_resource(f, "Property 'EventInvokeConfig.DestinationConfig' should be a map.");
    if (!add_destination(f, id, in, "OnSuccess", dest) || !add_destination(f, id, in, "OnFailure", dest))
        return false;
    cJSON_AddItemToObject(p, "FunctionName", ref(f->id));
    copy_member(p, "MaximumEventAgeInSeconds", eic, "MaximumEventAgeInSeconds");
    copy_member(p, "MaximumRetryAttempts", eic, "MaximumRetryAttempts");
    cJSON_AddStringToObject(p, "Qualifier", f->alias_name ? f->alias_name : "$LATEST");
    return true;
}

/* ---- Events ---------------------------------------------------------------------------- */

static bool bad_event(fn_ctx *f, const char *event_id, const char *msg)
{
    return sam_invalid(f->err, "Resource with id [%s%s] is invalid. %s", f->id, event_id, msg);
}

static bool add_sqs_event(fn_ctx *f, const cJSON *event)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(event, "Properties");
    const cJSON *p, *members = cJSON_IsObject(props) ? props : NULL;
    cJSON_ArrayForEach(p, members) {
        if (strcmp(p->string, "Queue") != 0 && !LISTED(p->string, sqs_event_props)) {
            char msg[320];
            snprintf(msg, sizeof msg, "property %.200s not defined for resource of type SQS", p->string);
            return bad_event(f, event->string, msg);
        }
    }
    const cJSON *queue = cJSON_GetObjectItemCaseSensitive(props, "Queue");
    if (!queue)
        return bad_event(f, event->string, "Missing required property 'Queue'.");
    char id[MAX_ID * 2 + 2];
    snprintf(id, sizeof id, "%s%s", f->id, event->string);
    cJSON *r = new_resource(f, id, "AWS::Lambda::EventSourceMapping");
    cJSON *mp = cJSON_AddObjectToObject(r, "Properties");
    copy_member(mp, "BatchSize", props, "BatchSize");
    copy_member(mp, "Enabled", props, "Enabled");
    cJSON_AddItemToObject(mp, "EventSourceArn", cJSON_Duplicate(queue, true));
    cJSON_AddItemToObject(mp, "FunctionName", ref(f->alias_name ? f->alias_id : f->id));
    for (size_t i = 2; i < sizeof sqs_event_props / sizeof *sqs_event_props; i++)
        copy_member(mp, sqs_event_props[i], props, sqs_event_props[i]);
    return true;
}

/* Checks the events; *sqs tells whether one is of type SQS. Adds nothing. */
static bool check_events(fn_ctx *f, bool *sqs)
{
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(f->props, "Events");
    *sqs = false;
    if (!events)
        return true;
    if (!cJSON_IsObject(events))
        return bad_resource(f, "Type of property 'Events' is invalid.");
    const cJSON *e;
    cJSON_ArrayForEach(e, events) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "Type");
        char msg[512];
        if (!cJSON_IsString(type)) {
            snprintf(msg, sizeof msg, "Event with id [%.128s] is invalid. Resource dict has missing or invalid value "
                     "for key Type. Event Type is: None.", e->string);
            return bad_resource(f, msg);
        }
        if (strcmp(type->valuestring, "SQS") != 0) {
            snprintf(msg, sizeof msg, "Event with id [%.128s] is invalid. Event type %.64s is not emulated by "
                     "sqsemu (only SQS events are).", e->string, type->valuestring);
            return bad_resource(f, msg);
        }
        *sqs = true;
    }
    return true;
}

static bool add_events(fn_ctx *f)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(f->props, "Events"))
        if (!add_sqs_event(f, e))
            return false;
    return true;
}

/* ---- the function ---------------------------------------------------------------------- */

static bool check_properties(fn_ctx *f)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, f->props) {
        char msg[320];
        if (!LISTED(p->string, known_props)) {
            snprintf(msg, sizeof msg, "property %.200s not defined for resource of type AWS::Serverless::Function",
                     p->string);
            return bad_resource(f, msg);
        }
    }
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(f->props, "PackageType");
    if (cJSON_IsString(pt) && strcmp(pt->valuestring, "Image") == 0)
        return bad_resource(f, "PackageType Image is not emulated by sqsemu: give the function a CodeUri or "
                               "InlineCode (PackageType Zip).");
    if (cJSON_GetObjectItemCaseSensitive(f->props, "DeploymentPreference"))
        return bad_resource(f, "DeploymentPreference (CodeDeploy) is not emulated by sqsemu.");
    if (cJSON_GetObjectItemCaseSensitive(f->props, "FunctionUrlConfig"))
        return bad_resource(f, "FunctionUrlConfig (function URLs) is not emulated by sqsemu.");
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(f->props, "Environment");
    if (env && !cJSON_IsObject(env))
        return bad_resource(f, "Type of property 'Environment' is invalid.");
    return true;
}

static void copy_attributes(cJSON *to, const cJSON *resource)
{
    static const char *const attrs[] = {"Condition", "DependsOn", "Metadata", "DeletionPolicy",
                                        "UpdateReplacePolicy"};
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
        copy_member(to, attrs[i], resource, attrs[i]);
}

static bool expand(fn_ctx *f, const cJSON *resource, cJSON *fn)
{
    bool sqs, ok;
    if (!check_properties(f) || !check_events(f, &sqs) || !set_code(f) || !set_dead_letter_queue(f))
        return false;
    cJSON *tags = tag_list(f, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < sizeof passed_props / sizeof *passed_props; i++)
        copy_member(f->function_props, passed_props[i], f->props, passed_props[i]);
    const cJSON *tracing = cJSON_GetObjectItemCaseSensitive(f->props, "Tracing");
    if (tracing)
        cJSON_AddItemToObject(cJSON_AddObjectToObject(f->function_props, "TracingConfig"), "Mode",
                              cJSON_Duplicate(tracing, true));
    cJSON_AddItemToObject(f->function_props, "Tags", tags);
    copy_attributes(fn, resource);
    if (!add_alias(f) || !add_event_invoke_config(f))
        return false;
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(f->props, "Role");
    char role_id[MAX_ID * 2];
    snprintf(role_id, sizeof role_id, "%sRole", f->id);
    if (role) {
        cJSON_AddItemToObject(f->function_props, "Role", cJSON_Duplicate(role, true));
    } else {
        cJSON *r = sam_make_role(f->id, f->props, f->role_policies, tags, sqs, f->err);
        f->role_policies = NULL;
        if (!r)
            return false;
        cJSON_AddItemToObject(f->out, role_id, r);
        cJSON_AddItemToObject(f->function_props, "Role", getatt(role_id, "Arn"));
    }
    return add_events(f);
}

bool sam_expand_function(cJSON *out, const char *id, const cJSON *resource, cfn_error *err)
{
    fn_ctx f = {.id = id, .out = out, .err = err};
    if (strlen(id) > MAX_ID)
        return sam_invalid(err, "Resource with id [%.64s...] is invalid. Logical ID is too long.", id);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(resource, "Properties");
    if (props && !cJSON_IsObject(props))
        return sam_invalid(err, "Resource with id [%s] is invalid. Type of property 'Properties' is invalid.", id);
    cJSON *empty = cJSON_CreateObject();
    f.props = props ? props : empty;
    cJSON *fn = new_resource(&f, id, "AWS::Lambda::Function");
    f.function_props = cJSON_AddObjectToObject(fn, "Properties");
    f.role_policies = cJSON_CreateArray();
    bool ok = expand(&f, resource, fn);
    cJSON_Delete(f.role_policies);
    cJSON_Delete(empty);
    return ok;
}
