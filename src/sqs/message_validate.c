/* sqs/message_validate: validation of bodies, message attributes and system attributes. */
#include "message_validate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqsemu/codec.h"
#include "sqsemu/utf8.h"

bool message_check_body(const char *body, sqs_error *err)
{
    if (!body || !*body)
        return sqs_fail_missing_param(err, "MessageBody");
    if (!utf8_is_sqs_text(body, strlen(body)))
        return sqs_fail(err, SQS_ERR_INVALID_MESSAGE_CONTENTS,
                        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
                        "#xE000 to #xFFFD | #x10000 to #x10FFFF");
    return true;
}

bool message_attribute_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 256 || name[0] == '.' || name[len - 1] == '.' || strstr(name, ".."))
        return false;
    if (strncasecmp(name, "AWS.", 4) == 0 || strncasecmp(name, "Amazon.", 7) == 0)
        return false;
    /* AWS's documentation lists alphanumerics, hyphen, underscore and period; real SQS
     * takes any Unicode letter or digit as alphanumeric (a name such as "attr.1øßä" is
     * accepted) and refuses other symbols. */
    return utf8_is_word(name, len, "_-.");
}

bool message_number_valid(const char *text)
{
    const char *p = text;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0, significant = 0;
    bool leading = true, seen_point = false;
    for (; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            if (seen_point)
                return false;
            seen_point = true;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            return false;
        digits++;
        if (*p != '0')
            leading = false;
        if (!leading)
            significant++;
    }
    if (digits == 0 || significant > 38)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
        if (*p)
            return false;
    }
    if (significant == 0)
        return true; /* zero, however it is written */
    double v = fabs(strtod(text, NULL));
    return v >= 1e-128 && v <= 1e126;
}

bool message_token_valid(const char *text)
{
    size_t len = strlen(text);
    if (len < 1 || len > 128)
        return false;
    for (const char *p = text; *p; p++) {
        if (!isalnum((unsigned char)*p) && !ispunct((unsigned char)*p))
            return false;
    }
    return true;
}

typedef enum base_type { TYPE_INVALID, TYPE_STRING, TYPE_NUMBER, TYPE_BINARY } base_type;

static base_type parse_data_type(const char *type)
{
    static const struct { const char *prefix; base_type type; } bases[] = {
        {"String", TYPE_STRING}, {"Number", TYPE_NUMBER}, {"Binary", TYPE_BINARY}};
    if (strlen(type) > 256)
        return TYPE_INVALID;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(bases[i].prefix);
        if (strncmp(type, bases[i].prefix, n) != 0)
            continue;
        if (type[n] == '\0')
            return bases[i].type;
        if (type[n] == '.' && type[n + 1] != '\0' && utf8_is_sqs_text(type + n + 1, strlen(type + n + 1)))
            return bases[i].type;
    }
    return TYPE_INVALID;
}

static bool check_one_attribute(const cJSON *attr, size_t *size, sqs_error *err)
{
    const char *name = attr->string;
    if (!message_attribute_name_valid(name))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Message (user) attribute name '%s' is invalid. Names can contain alphanumeric characters, "
                        "hyphens, underscores and periods (at most 256 bytes), must not start or end with a period "
                        "or contain two periods in a row, and must not start with AWS. or Amazon.", name);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(attr, "DataType");
    if (!cJSON_IsString(type) || !*type->valuestring)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "The message attribute '%s' must contain non-empty message attribute type.", name);
    base_type base = parse_data_type(type->valuestring);
    if (base == TYPE_INVALID)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "The type of message (user) attribute '%s' is invalid. You must use only the following "
                        "supported type prefixes: Binary, Number, String.", name);
    *size += strlen(name) + strlen(type->valuestring);
    if (base == TYPE_BINARY) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(attr, "BinaryValue");
        size_t raw_len = 0;
        unsigned char *raw = cJSON_IsString(value)
                                 ? base64_decode(value->valuestring, strlen(value->valuestring), &raw_len)
                                 : NULL;
        free(raw);
        if (!raw || raw_len == 0)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", name);
        *size += raw_len;
        return true;
    }
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(attr, "StringValue");
    if (!cJSON_IsString(value) || !*value->valuestring)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Message (user) attribute '%s' must contain a non-empty value of type 'String'.", name);
    if (!utf8_is_sqs_text(value->valuestring, strlen(value->valuestring)))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Message (user) attribute '%s' value contains invalid characters.", name);
    if (base == TYPE_NUMBER && !message_number_valid(value->valuestring))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter MessageAttributes.%s is invalid. Reason: Not a valid Number "
                        "(up to 38 digits, between 10^-128 and 10^126).", value->valuestring, name);
    *size += strlen(value->valuestring);
    return true;
}

bool message_check_attributes(const cJSON *attributes, size_t *size, sqs_error *err)
{
    if (!attributes)
        return true;
    int count = cJSON_GetArraySize(attributes);
    if (count > MAX_MESSAGE_ATTRIBUTES)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Number of message attributes [%d] exceeds the allowed maximum [%d].", count,
                        MAX_MESSAGE_ATTRIBUTES);
    const cJSON *attr;
    cJSON_ArrayForEach(attr, attributes)
    {
        if (!cJSON_IsObject(attr))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "The message attribute '%s' must be a structure.", attr->string);
        for (const cJSON *other = attributes->child; other != attr; other = other->next) {
            if (strcmp(other->string, attr->string) == 0)
                return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                "Message (user) attribute name '%s' is given more than once.", attr->string);
        }
        if (!check_one_attribute(attr, size, err))
            return false;
    }
    return true;
}

bool message_check_system_attributes(const cJSON *attributes, sqs_error *err)
{
    if (!attributes)
        return true;
    const cJSON *attr;
    cJSON_ArrayForEach(attr, attributes)
    {
        if (strcmp(attr->string, "AWSTraceHeader") != 0)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Message system attribute name '%s' is invalid.", attr->string);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(attr, "DataType");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(attr, "StringValue");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "String") != 0)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Message system attribute '%s' must be of type String.", attr->string);
        if (!cJSON_IsString(value) || !*value->valuestring ||
            !utf8_is_sqs_text(value->valuestring, strlen(value->valuestring)))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Message system attribute '%s' must contain a non-empty value of type 'String'.",
                            attr->string);
    }
    return true;
}
