/* fuzz_sqs_json: the AWS JSON 1.0 request decoder (sqs_json_decode) of every SQS action,
 * and the encoders fed with what it decodes.
 *
 * Input: the first byte picks the action (one of the 23, or an unknown name); the rest is
 * the request body as an SDK would send it.
 *
 * Invariants beyond "no crash":
 *  - a failed decode fills in an error kind and message, and both error encoders (JSON and
 *    query XML) produce a document; the JSON one parses and carries the catalogue's __type;
 *  - a successful decode is a JSON object that passes the action's type check again (an
 *    unknown action decodes only an empty body);
 *  - the decoded request re-encodes (sqs_json_encode_result) to text that decodes again
 *    for the same action into an equal tree (numbers equal up to the rounding of cJSON's
 *    15-digit output; unless it holds numbers outside the double range, which JSON cannot
 *    carry back);
 *  - the query XML result encoder accepts the decoded tree and writes a full response. */
#include <math.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "sqsemu/sqs_json.h"
#include "sqsemu/sqs_wire_errors.h"
#include "sqsemu/sqs_query.h"
#include "sqsemu/sqs_shapes.h"

static bool has_non_finite(const cJSON *item)
{
    if (cJSON_IsNumber(item))
        return !isfinite(item->valuedouble);
    for (const cJSON *c = item ? item->child : NULL; c; c = c->next) {
        if (has_non_finite(c))
            return true;
    }
    return false;
}

static void check_error(const sqs_error *err)
{
    FUZZ_CHECK(err->kind != SQS_OK && err->kind < SQS_ERR__COUNT, "decode failed without an error kind (%d)",
               (int)err->kind);
    FUZZ_CHECK(err->message[0] != '\0', "decode failed without a message");
    size_t len = 0;
    char *json = sqs_json_encode_error(err, &len);
    FUZZ_CHECK(json && strlen(json) == len, "error encoder length mismatch");
    cJSON *doc = cJSON_Parse(json);
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "__type"));
    FUZZ_CHECK(type && strcmp(type, sqs_wire_error_of(err->kind)->json_type) == 0, "error document %s", json);
    cJSON_Delete(doc);
    free(json);
    char *xml = sqs_query_encode_error(err, "00000000-0000-0000-0000-000000000000", &len);
    FUZZ_CHECK(xml && strlen(xml) == len && strncmp(xml, "<?xml", 5) == 0, "query error encoder output");
    free(xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t pick = data[0] % (FUZZ_SQS_ACTION_COUNT + 1);
    const char *action = pick < FUZZ_SQS_ACTION_COUNT ? fuzz_sqs_actions[pick] : "NotAnAction";
    /* An unterminated copy: the decoder must honour the length. */
    size_t len = size - 1;
    char *body = xmalloc(len ? len : 1);
    memcpy(body, data + 1, len);

    sqs_error err = {0};
    cJSON *input = sqs_json_decode(action, body, len, &err);
    if (!input) {
        check_error(&err);
        free(body);
        return 0;
    }
    FUZZ_CHECK(cJSON_IsObject(input), "decoded input is not an object");
    sqs_error again_err = {0};
    if (pick == FUZZ_SQS_ACTION_COUNT) {
        /* An empty body is {} before the action is looked at (the router rejects unknown
         * actions first); any other body of an unknown action is an error. */
        FUZZ_CHECK(len == 0, "a body of an unknown action decoded");
        cJSON_Delete(input);
        free(body);
        return 0;
    }
    FUZZ_CHECK(sqs_shapes_check_json(action, input, &again_err), "decoded input fails its type check: %s",
               again_err.message);

    size_t text_len = 0;
    char *text = sqs_json_encode_result(input, &text_len);
    FUZZ_CHECK(text && strlen(text) == text_len, "result encoder length mismatch");
    cJSON *again = sqs_json_decode(action, text, text_len, &again_err);
    FUZZ_CHECK(again, "re-encoded input does not decode (%s): %s", again_err.message, text);
    FUZZ_CHECK(has_non_finite(input) || fuzz_same_tree(input, again), "round trip changed the request: %s",
               text);
    cJSON_Delete(again);
    free(text);

    size_t xml_len = 0;
    char *xml = sqs_query_encode_result(action, input, "00000000-0000-0000-0000-000000000000", &xml_len);
    FUZZ_CHECK(xml && strlen(xml) == xml_len && strncmp(xml, "<?xml", 5) == 0, "XML result encoder output");
    free(xml);

    cJSON_Delete(input);
    free(body);
    return 0;
}
