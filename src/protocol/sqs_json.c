/* sqs_json: AWS JSON 1.0 request decoding and response/error encoding for SQS. */
#include "sqsemu/sqs_json.h"

#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"
#include "sqsemu/sqs_shapes.h"
#include "sqsemu/sqs_wire_errors.h"

/* The code unit of a "\uXXXX" escape starting at body[i] (a backslash), or -1. */
static long unicode_escape_at(const char *body, size_t len, size_t i)
{
    if (i + 5 >= len || body[i] != '\\' || body[i + 1] != 'u')
        return -1;
    long unit = 0;
    for (size_t k = 2; k < 6; k++) {
        int h = hex_digit(body[i + k]);
        if (h < 0)
            return -1;
        unit = unit * 16 + h;
    }
    return unit;
}

/* cJSON keeps strings NUL-terminated (an escaped U+0000 would silently cut a value) and
 * rejects a lone surrogate as a syntax error. Both are content errors to SQS, so they are
 * found here first: true when the body escapes U+0000 or a lone surrogate. */
static bool has_invalid_escape(const char *body, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (body[i] != '\\')
            continue;
        long unit = unicode_escape_at(body, len, i);
        if (unit == 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
            return true;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            long low = unicode_escape_at(body, len, i + 6);
            if (low < 0xDC00 || low > 0xDFFF)
                return true;
            i += 6; /* the low half of the pair */
        }
        if (unit >= 0)
            i += 4;
        i++; /* skip the escaped character */
    }
    return false;
}

static bool is_send_action(const char *action)
{
    return strcmp(action, "SendMessage") == 0 || strcmp(action, "SendMessageBatch") == 0;
}

cJSON *sqs_json_decode(const char *action, const char *body, size_t len, sqs_error *err)
{
    if (len == 0)
        return cJSON_CreateObject();
    if (has_invalid_escape(body, len)) {
        if (is_send_action(action))
            sqs_fail(err, SQS_ERR_INVALID_MESSAGE_CONTENTS,
                     "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
                     "#xE000 to #xFFFD | #x10000 to #x10FFFF");
        else
            sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "The request contains invalid characters (U+0000 or a lone surrogate).");
        return NULL;
    }
    char why[128];
    cJSON *input = json_parse_strict(body, len, why, sizeof why);
    if (!cJSON_IsObject(input)) {
        cJSON_Delete(input);
        sqs_fail(err, SQS_ERR_SERIALIZATION, "The request body is not a valid JSON object%s%s.", *why ? ": " : "",
                 why);
        return NULL;
    }
    if (!sqs_shapes_check_json(action, input, err)) {
        cJSON_Delete(input);
        return NULL;
    }
    return input;
}

char *sqs_json_encode_result(const cJSON *result, size_t *len)
{
    char *text = result ? cJSON_PrintUnformatted(result) : NULL;
    if (!text)
        text = xstrdup("{}");
    *len = strlen(text);
    return text;
}

char *sqs_json_encode_error(const sqs_error *err, size_t *len)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "__type", sqs_wire_error_of(err->kind)->json_type);
    cJSON_AddStringToObject(doc, "message", err->message);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    *len = strlen(text);
    return text;
}
