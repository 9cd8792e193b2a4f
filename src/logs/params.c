/* logs/params: the constraints of CloudWatch Logs' model (lengths, value ranges, name
 * patterns, enums, required members) checked on a request, and every failure reported in
 * one InvalidParameterException the way AWS words it ("1 validation error detected: Value
 * '0' at 'limit' failed to satisfy constraint: Member must have value greater than or
 * equal to 1"). Also the getters the actions read members with. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define VALUE_SHOWN_BYTES 256 /* a long value is shown cut to this */

static const char *const charset_text[] = {
    [CHARS_ANY] = "",
    [CHARS_GROUP_NAME] = "[\\.\\-_/#A-Za-z0-9]+",
    [CHARS_GROUP_PATTERN] = "[\\.\\-_/#A-Za-z0-9]*",
    [CHARS_STREAM_NAME] = "[^:*]*",
    [CHARS_GROUP_IDENTIFIER] = "[\\w#+=/:,.@-]*",
};

void checks_init(logs_checks *c)
{
    c->count = 0;
    buf_init(&c->text);
}

/* One failed constraint: the value is shown in quotes, or bare ("null"). */
static void fail_at(logs_checks *c, const char *value, bool quoted, const char *member, const char *constraint)
{
    if (c->count++)
        buf_puts(&c->text, "; ");
    if (quoted)
        buf_printf(&c->text, "Value '%.*s' at '%s' failed to satisfy constraint: %s", VALUE_SHOWN_BYTES, value, member,
                   constraint);
    else
        buf_printf(&c->text, "Value %s at '%s' failed to satisfy constraint: %s", value, member, constraint);
}

static bool char_allowed(logs_charset chars, unsigned char ch)
{
    switch (chars) {
    case CHARS_ANY:
        return true;
    case CHARS_GROUP_NAME:
    case CHARS_GROUP_PATTERN:
        return isalnum(ch) || strchr(".-_/#", ch);
    case CHARS_STREAM_NAME:
        return ch != ':' && ch != '*';
    case CHARS_GROUP_IDENTIFIER:
        return isalnum(ch) || strchr("_#+=/:,.@-", ch);
    }
    return true;
}

static bool matches_charset(const char *s, logs_charset chars)
{
    if (chars == CHARS_GROUP_NAME && !*s)
        return false; /* its pattern ends in +: one character at least */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (!char_allowed(chars, *p))
            return false;
    }
    return true;
}

/* Checks one string value; label is the member's path in AWS's messages. */
static void check_text(logs_checks *c, const char *value, const char *label, size_t min, size_t max,
                       logs_charset chars)
{
    size_t len = strlen(value);
    char constraint[160];
    if (chars != CHARS_ANY && !matches_charset(value, chars)) {
        snprintf(constraint, sizeof constraint, "Member must satisfy regular expression pattern: %s",
                 charset_text[chars]);
        fail_at(c, value, true, label, constraint);
    }
    if (len < min) {
        snprintf(constraint, sizeof constraint, "Member must have length greater than or equal to %zu", min);
        fail_at(c, value, true, label, constraint);
    }
    if (len > max) {
        snprintf(constraint, sizeof constraint, "Member must have length less than or equal to %zu", max);
        fail_at(c, value, true, label, constraint);
    }
}

void check_required(logs_checks *c, const cJSON *in, const char *member)
{
    if (!member_present(in, member))
        fail_at(c, "null", false, member, "Member must not be null");
}

void check_string(logs_checks *c, const cJSON *in, const char *member, size_t min, size_t max, logs_charset chars)
{
    const char *value = member_string(in, member);
    if (value)
        check_text(c, value, member, min, max, chars);
}

void check_integer(logs_checks *c, const cJSON *in, const char *member, int64_t min, int64_t max)
{
    if (!member_present(in, member))
        return;
    int64_t value = member_integer(in, member, 0);
    char shown[32], constraint[96];
    snprintf(shown, sizeof shown, "%lld", (long long)value);
    if (value < min) {
        snprintf(constraint, sizeof constraint, "Member must have value greater than or equal to %lld", (long long)min);
        fail_at(c, shown, true, member, constraint);
    }
    if (value > max) {
        snprintf(constraint, sizeof constraint, "Member must have value less than or equal to %lld", (long long)max);
        fail_at(c, shown, true, member, constraint);
    }
}

void check_enum(logs_checks *c, const cJSON *in, const char *member, const char *const *values)
{
    const char *value = member_string(in, member);
    if (!value)
        return;
    buf_t set;
    buf_init(&set);
    buf_puts(&set, "Member must satisfy enum value set: [");
    for (size_t i = 0; values[i]; i++) {
        if (strcmp(values[i], value) == 0) {
            buf_free(&set);
            return;
        }
        buf_printf(&set, "%s%s", i ? ", " : "", values[i]);
    }
    buf_putc(&set, ']');
    fail_at(c, value, true, member, set.data);
    buf_free(&set);
}

void check_string_list(logs_checks *c, const cJSON *in, const char *member, size_t min_items, size_t max_items,
                       size_t min, size_t max, logs_charset chars)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(in, member);
    if (!cJSON_IsArray(list))
        return;
    size_t n = (size_t)cJSON_GetArraySize(list);
    char constraint[96];
    if (n < min_items || n > max_items) {
        snprintf(constraint, sizeof constraint, "Member must have length %s than or equal to %zu",
                 n < min_items ? "greater" : "less", n < min_items ? min_items : max_items);
        fail_at(c, n ? "[...]" : "[]", true, member, constraint);
    }
    size_t index = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        index++;
        if (!cJSON_IsString(item))
            continue;
        char label[96];
        snprintf(label, sizeof label, "%s.%zu.member", member, index);
        check_text(c, item->valuestring, label, min, max, chars);
    }
}

bool checks_done(logs_checks *c, logs_error *err)
{
    bool ok = c->count == 0;
    if (!ok)
        logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "%d validation error%s detected: %s", c->count,
                  c->count == 1 ? "" : "s", c->text.data);
    buf_free(&c->text);
    return ok;
}

/* ---- getters ---- */

bool member_present(const cJSON *in, const char *member)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(in, member);
    return item && !cJSON_IsNull(item);
}

const char *member_string(const cJSON *in, const char *member)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(in, member);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

int64_t member_integer(const cJSON *in, const char *member, int64_t fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(in, member);
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return fallback;
    double d = item->valuedouble;
    if (d >= 9.2e18)
        return INT64_MAX;
    if (d <= -9.2e18)
        return INT64_MIN;
    return (int64_t)d;
}

bool member_bool(const cJSON *in, const char *member, bool fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(in, member);
    return cJSON_IsBool(item) ? cJSON_IsTrue(item) : fallback;
}
