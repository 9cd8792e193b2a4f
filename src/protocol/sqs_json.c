/* sqs_json: AWS JSON 1.0 request decoding and response/error encoding for SQS. */
#include "sqsemu/sqs_json.h"

#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/sqs_shapes.h"

/* cJSON keeps strings NUL-terminated, so an escaped U+0000 would silently cut a value.
 * Finds "\u0000" outside of an escaped backslash. */
static bool has_escaped_nul(const char *body, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (body[i] != '\\')
            continue;
        if (body[i + 1] == 'u' && i + 5 < len && memcmp(body + i + 2, "0000", 4) == 0)
            return true;
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
    if (has_escaped_nul(body, len)) {
        if (is_send_action(action))
            sqs_fail(err, SQS_ERR_INVALID_MESSAGE_CONTENTS,
                     "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
                     "#xE000 to #xFFFD | #x10000 to #x10FFFF");
        else
            sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Invalid characters found (U+0000).");
        return NULL;
    }
    cJSON *input = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(input)) {
        cJSON_Delete(input);
        sqs_fail(err, SQS_ERR_SERIALIZATION, "The request body is not a valid JSON object.");
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
    cJSON_AddStringToObject(doc, "__type", sqs_err_info_of(err->kind)->json_type);
    cJSON_AddStringToObject(doc, "message", err->message);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    *len = strlen(text);
    return text;
}
