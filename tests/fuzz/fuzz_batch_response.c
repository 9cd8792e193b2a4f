/* fuzz_batch_response: the parser of a handler's partial batch response under
 * ReportBatchItemFailures (poller_parse_item_failures, src/lambda/poller.c): which
 * messages of a batch stay on the queue, or whether the whole batch failed.
 *
 * Input: the first byte gives the batch size (0 to 10 records, messageIds
 * 059f36b4-87a3-44ab-83d2-66197583000<i>); the rest is the handler's response payload,
 * passed unterminated (the parser must honour its length).
 *
 * Invariants beyond "no crash", from AWS's documented rules where the payload is one
 * strictly valid JSON document (anything else fails the batch, as a non-JSON answer):
 *  - the kept ids are always an array; on success each is a non-empty messageId of the
 *    batch, in the order the response lists them;
 *  - an empty payload, null, {}, and a batchItemFailures that is null or [] mean success
 *    with nothing kept;
 *  - an itemIdentifier that is missing, null, empty or not in the batch fails the whole
 *    batch; a response of known ids only succeeds and keeps exactly those ids;
 *  - a payload that is not JSON at all fails the whole batch. */
#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "sqsemu/json.h"
#include "../../src/lambda/poller.h"
#include "../../src/lambda/mapping.h"

#define MAX_RECORDS 10

static void record_id(char out[64], size_t i)
{
    snprintf(out, 64, "059f36b4-87a3-44ab-83d2-66197583000%zu", i);
}

static bool id_in_batch(const char *id, size_t count)
{
    char expected[64];
    for (size_t i = 0; i < count; i++) {
        record_id(expected, i);
        if (strcmp(id, expected) == 0)
            return true;
    }
    return false;
}

/* AWS's documented verdict for a response that is exactly one JSON document:
 * 1 success, 0 failure, -1 undocumented. On 1, *expected holds the ids to keep. */
static int documented_verdict(const cJSON *doc, size_t count, cJSON *expected)
{
    if (cJSON_IsNull(doc))
        return 1;
    if (!cJSON_IsObject(doc))
        return -1;
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(doc, "batchItemFailures");
    if (!failures || cJSON_IsNull(failures))
        return 1;
    if (!cJSON_IsArray(failures))
        return -1;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, failures) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "itemIdentifier"));
        if (!id || !*id || !id_in_batch(id, count))
            return 0;
        cJSON_AddItemToArray(expected, cJSON_CreateString(id));
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t count = data[0] % (MAX_RECORDS + 1);
    cJSON *records = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++) {
        char id[64];
        record_id(id, i);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "messageId", id);
        cJSON_AddStringToObject(r, "receiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a");
        cJSON_AddStringToObject(r, "body", "{}");
        cJSON_AddItemToArray(records, r);
    }
    size_t len = size - 1;
    char *payload = xmalloc(len ? len : 1);
    memcpy(payload, data + 1, len);
    invoke_outcome outcome = {.function_error = false, .payload = payload, .payload_len = len};

    cJSON *kept = NULL;
    bool ok = poller_parse_item_failures(&outcome, records, &kept);
    FUZZ_CHECK(cJSON_IsArray(kept), "no array of kept ids");
    if (ok) {
        const cJSON *id;
        cJSON_ArrayForEach(id, kept) {
            FUZZ_CHECK(cJSON_IsString(id) && id->valuestring[0] && id_in_batch(id->valuestring, count),
                       "kept an id that is not in the batch");
        }
    }

    /* The documented rules, on a strictly parsed copy (one RFC 8259 document, nothing
     * after it: the parser under test refuses anything else, as a non-JSON answer). */
    char *terminated = fuzz_strndup(data + 1, len);
    cJSON *doc = json_parse_strict(payload, len, NULL, 0);
    bool blank = terminated[strspn(terminated, " \t\r\n")] == '\0';
    if (len == 0) {
        FUZZ_CHECK(ok && cJSON_GetArraySize(kept) == 0, "an empty response is not a full success");
    } else if (doc && strlen(terminated) == len) {
        cJSON *expected = cJSON_CreateArray();
        int verdict = documented_verdict(doc, count, expected);
        if (verdict == 1)
            FUZZ_CHECK(ok && cJSON_Compare(kept, expected, true), "documented success not parsed as such: %s",
                       terminated);
        else if (verdict == 0)
            FUZZ_CHECK(!ok, "documented failure parsed as success: %s", terminated);
        cJSON_Delete(expected);
    } else if (!blank && !memchr(payload, '\0', len)) {
        cJSON *lenient = cJSON_ParseWithLength(payload, len);
        if (!lenient)
            FUZZ_CHECK(!ok, "a response that is not JSON parsed as success: %s", terminated);
        cJSON_Delete(lenient);
    }
    cJSON_Delete(doc);
    free(terminated);

    cJSON_Delete(kept);
    free(payload);
    cJSON_Delete(records);
    return 0;
}
