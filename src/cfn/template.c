/* cfn/template: a template's text into its JSON document, and the checks of its anatomy
 * (CloudFormation User Guide, "Template anatomy" and "Template format error" messages):
 * the known top-level sections only, AWSTemplateFormatVersion "2010-09-09" when present,
 * Resources required and non-empty, every resource an object with a Type string, and
 * logical ids alphanumeric. Templates given as TemplateURL are read from local files: a
 * path (relative to the caller's base directory) or a file:// URL. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "sqsemu/json.h"
#include "sqsemu/strset.h"
#include "sqsemu/utf8.h"
#include "template.h"

/* A "\u0000" escape in a JSON string: cJSON would cut the string short there. */
static bool json_has_nul_escape(const char *text, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (!in_string)
            in_string = text[i] == '"';
        else if (text[i] == '"')
            in_string = false;
        else if (text[i] == '\\') {
            if (i + 5 < len && memcmp(text + i + 1, "u0000", 5) == 0)
                return true;
            i++;
        }
    }
    return false;
}

/* Every string and member name is text an XML response can carry (a "\u0001" escape of
 * JSON or "\x01" of YAML is not: it would come back in DescribeStacks, events or errors). */
static bool xml_text_only(const cJSON *v)
{
    for (; v; v = v->next) {
        if (v->string && !utf8_is_sqs_text(v->string, strlen(v->string)))
            return false;
        if (cJSON_IsString(v) && !utf8_is_sqs_text(v->valuestring, strlen(v->valuestring)))
            return false;
        if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && !xml_text_only(v->child))
            return false;
    }
    return true;
}

/* The first member name an object of v repeats, or NULL (cJSON keeps both members: two
 * resources of one logical id would be created and one of them forgotten). */
static const char *repeated_name(const cJSON *v)
{
    for (; v; v = v->next) {
        if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
            continue;
        const char *dup = NULL;
        if (cJSON_IsObject(v)) {
            strset names;
            strset_init(&names);
            for (const cJSON *m = v->child; m && !dup; m = m->next) {
                size_t n = strlen(m->string);
                if (strset_contains(&names, m->string, n))
                    dup = m->string;
                else
                    strset_add(&names, m->string, n);
            }
            strset_free(&names);
        }
        if (dup || (dup = repeated_name(v->child)))
            return dup;
    }
    return NULL;
}

static cJSON *parse_text(const char *text, size_t len, cfn_error *err);

cJSON *cfn_template_parse(const char *text, size_t len, cfn_error *err)
{
    cJSON *doc = parse_text(text, len, err);
    if (doc && !xml_text_only(doc)) {
        cJSON_Delete(doc);
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: the template holds a control character (only tab, "
                 "line feed and carriage return are allowed)");
        return NULL;
    }
    const char *dup = doc ? repeated_name(doc) : NULL;
    if (dup) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: JSON not well-formed. (the member %.200s is given "
                 "more than once in an object)", dup);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static cJSON *parse_text(const char *text, size_t len, cfn_error *err)
{
    if (len > CFN_TEMPLATE_MAX) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template may not exceed %d bytes in size.", CFN_TEMPLATE_MAX);
        return NULL;
    }
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i == len) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: template is empty");
        return NULL;
    }
    if (text[i] != '{')
        return cfn_yaml_parse(text, len, err);
    char why[256] = "";
    if (json_has_nul_escape(text, len)) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: JSON not well-formed. (a \\u0000 escape is not "
                 "allowed)");
        return NULL;
    }
    cJSON *doc = json_parse_strict(text, len, why, sizeof why);
    if (!doc)
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: JSON not well-formed. (%s)", why);
    return doc;
}

static bool alphanumeric(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s))
            return false;
    return true;
}

static const char *const sections[] = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
                                       "Rules", "Mappings", "Conditions", "Transform", "Resources", "Outputs", NULL};

static bool known_section(const char *name)
{
    for (int i = 0; sections[i]; i++)
        if (strcmp(sections[i], name) == 0)
            return true;
    return false;
}

static bool check_resources(const cJSON *res, cfn_error *err)
{
    if (!cJSON_IsObject(res) || !res->child)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: At least one Resources member must be defined.");
    if (cJSON_GetArraySize(res) > CFN_MAX_RESOURCES)
        return cfn_fail(err, CFN_ERR_VALIDATION,
                        "Template format error: Number of resources, %d, is greater than maximum allowed, %d",
                        cJSON_GetArraySize(res), CFN_MAX_RESOURCES);
    for (const cJSON *r = res->child; r; r = r->next) {
        if (!alphanumeric(r->string))
            return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Resource name %s is non alphanumeric.",
                            r->string);
        if (!cJSON_IsObject(r) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "Type")))
            return cfn_fail(err, CFN_ERR_VALIDATION,
                            "Template format error: [/Resources/%s] Every Resources object must contain a Type member.",
                            r->string);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(r, "Properties");
        if (props && !cJSON_IsObject(props) && !(cJSON_IsObject(props) || cJSON_IsNull(props)))
            return cfn_fail(err, CFN_ERR_VALIDATION,
                            "Template format error: [/Resources/%s/Properties] Every Properties object must be an "
                            "object.", r->string);
        const cJSON *dep = cJSON_GetObjectItemCaseSensitive(r, "DependsOn");
        if (dep && !cJSON_IsString(dep) && !cJSON_IsArray(dep))
            return cfn_fail(err, CFN_ERR_VALIDATION,
                            "Template format error: DependsOn must be a string or list of strings.");
        for (const cJSON *d = cJSON_IsArray(dep) ? dep->child : NULL; d; d = d->next)
            if (!cJSON_IsString(d))
                return cfn_fail(err, CFN_ERR_VALIDATION,
                                "Template format error: DependsOn must be a string or list of strings.");
        const cJSON *cond = cJSON_GetObjectItemCaseSensitive(r, "Condition");
        if (cond && !cJSON_IsString(cond))
            return cfn_fail(err, CFN_ERR_VALIDATION,
                            "Template format error: Every Condition member must be a string.");
    }
    return true;
}

static bool check_outputs(const cJSON *outputs, cfn_error *err)
{
    if (!outputs)
        return true;
    if (!cJSON_IsObject(outputs))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Outputs must be an object");
    if (cJSON_GetArraySize(outputs) > CFN_MAX_OUTPUTS)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Number of outputs exceeds the limit %d",
                        CFN_MAX_OUTPUTS);
    for (const cJSON *o = outputs->child; o; o = o->next) {
        if (!alphanumeric(o->string))
            return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Output %s is non alphanumeric.", o->string);
        if (!cJSON_IsObject(o) || !cJSON_GetObjectItemCaseSensitive(o, "Value"))
            return cfn_fail(err, CFN_ERR_VALIDATION,
                            "Template format error: Every Outputs member must contain a Value object");
    }
    return true;
}

bool cfn_template_check(const cJSON *tpl, cfn_error *err)
{
    if (!cJSON_IsObject(tpl))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: template is not an object");
    for (const cJSON *s = tpl->child; s; s = s->next)
        if (!known_section(s->string))
            return cfn_fail(err, CFN_ERR_VALIDATION,
                            "Template format error: Invalid template property or properties [%s]", s->string);
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(tpl, "AWSTemplateFormatVersion");
    if (version && !(cJSON_IsString(version) && strcmp(version->valuestring, "2010-09-09") == 0))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Unsupported template version: %s",
                        cJSON_IsString(version) ? version->valuestring : "(not a string)");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(tpl, "Description");
    if (desc && !cJSON_IsString(desc))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Description must be a string");
    const cJSON *maps = cJSON_GetObjectItemCaseSensitive(tpl, "Mappings");
    if (maps && !cJSON_IsObject(maps))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Mappings must be an object");
    return check_resources(cJSON_GetObjectItemCaseSensitive(tpl, "Resources"), err) &&
           check_outputs(cJSON_GetObjectItemCaseSensitive(tpl, "Outputs"), err);
}

char *cfn_template_read_url(const char *url, const char *base_dir, char **dir, cfn_error *err)
{
    const char *path = url;
    if (strncmp(url, "file://", 7) == 0)
        path = url + 7;
    else if (strstr(url, "://")) {
        cfn_fail(err, CFN_ERR_VALIDATION, "TemplateURL must be a local path or a file:// URL in sqsemu (not %.200s)",
                 url);
        return NULL;
    }
    char full[4096];
    if (path[0] == '/' || !base_dir || !*base_dir)
        snprintf(full, sizeof full, "%s", path);
    else
        snprintf(full, sizeof full, "%s/%s", base_dir, path);
    /* Only a regular file: a FIFO or a device would block the server's one thread. */
    int fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        cfn_fail(err, CFN_ERR_VALIDATION, "TemplateURL %.200s: %.1000s is not a regular file", url, full);
        return NULL;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        cfn_fail(err, CFN_ERR_VALIDATION, "TemplateURL %.200s: cannot read %.1000s: %s", url, full, strerror(errno));
        return NULL;
    }
    char *text = malloc(CFN_TEMPLATE_MAX + 2);
    size_t n = text ? fread(text, 1, CFN_TEMPLATE_MAX + 1, f) : 0;
    fclose(f);
    if (!text || n > CFN_TEMPLATE_MAX) {
        free(text);
        cfn_fail(err, CFN_ERR_VALIDATION, "Template may not exceed %d bytes in size.", CFN_TEMPLATE_MAX);
        return NULL;
    }
    text[n] = '\0';
    if (dir) {
        const char *slash = strrchr(full, '/');
        *dir = slash ? strndup(full, slash == full ? 1 : (size_t)(slash - full)) : strdup(".");
    }
    return text;
}
