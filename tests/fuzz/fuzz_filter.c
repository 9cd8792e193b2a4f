/* fuzz_filter: FilterCriteria patterns of event-source mappings (src/lambda/filter.c): the
 * pattern parser and compiler (filter_parse) and the matcher (filter_matches) on an SQS
 * record built the way the poller builds it (event_record_from_message).
 *
 * Input: "<pattern>\0<message body>\0<message attributes as JSON>", each part optional
 * (no NUL byte: all pattern, empty body).
 *
 * Invariants beyond "no crash":
 *  - a pattern that parses is a JSON object text (its first non-blank byte is '{');
 *  - parsing is deterministic: parsing the same text again accepts it again and both
 *    filters give the same verdict on the record;
 *  - matching is deterministic (the same filter, the same record: the same verdict);
 *  - the source fields Lambda adds after filtering (eventSource, eventSourceARN,
 *    awsRegion) never change a verdict: the record with and without them matches alike. */
#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "../../src/lambda/event.h"
#include "../../src/lambda/filter.h"

/* Splits off the part up to the next NUL byte (or the end). */
static char *take_part(const uint8_t **data, size_t *size)
{
    const uint8_t *nul = memchr(*data, '\0', *size);
    size_t n = nul ? (size_t)(nul - *data) : *size;
    char *part = fuzz_strndup(*data, n);
    *data += nul ? n + 1 : n;
    *size -= nul ? n + 1 : n;
    return part;
}

static cJSON *make_message(const char *body, const char *attributes_json)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "MessageId", "059f36b4-87a3-44ab-83d2-661975830a7d");
    cJSON_AddStringToObject(m, "ReceiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a");
    cJSON_AddStringToObject(m, "Body", body);
    cJSON_AddStringToObject(m, "MD5OfBody", "e4e68fb7bd0e697a0ae8f1bb342846b3");
    cJSON *attrs = cJSON_AddObjectToObject(m, "Attributes");
    cJSON_AddStringToObject(attrs, "ApproximateReceiveCount", "1");
    cJSON_AddStringToObject(attrs, "SentTimestamp", "1545082649183");
    cJSON_AddStringToObject(attrs, "SenderId", "AIDAIENQZJOLO23YVJ4VO");
    cJSON_AddStringToObject(attrs, "ApproximateFirstReceiveTimestamp", "1545082649185");
    cJSON *mattrs = cJSON_Parse(attributes_json);
    if (cJSON_IsObject(mattrs)) {
        cJSON_AddItemToObject(m, "MessageAttributes", mattrs);
        cJSON_AddStringToObject(m, "MD5OfMessageAttributes", "d25a6aea97eb8f585bfa92d314504a92");
    } else {
        cJSON_Delete(mattrs);
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *pattern = take_part(&data, &size);
    char *body = take_part(&data, &size);
    char *attributes = take_part(&data, &size);

    event_filter *f = filter_parse(pattern);
    if (f) {
        FUZZ_CHECK(pattern[strspn(pattern, " \t\r\n")] == '{', "accepted a pattern that is no object: %s", pattern);
        event_filter *g = filter_parse(pattern);
        FUZZ_CHECK(g, "the same pattern parsed once and failed once: %s", pattern);

        cJSON *message = make_message(body, attributes);
        cJSON *record = event_record_from_message(message);
        bool verdict = filter_matches(f, record);
        FUZZ_CHECK(filter_matches(f, record) == verdict, "matching is not deterministic");
        FUZZ_CHECK(filter_matches(g, record) == verdict, "two parses of one pattern disagree");
        event_record_add_source(record, "arn:aws:sqs:us-east-1:000000000000:orders", "us-east-1");
        FUZZ_CHECK(filter_matches(f, record) == verdict, "the source fields changed the verdict of %s", pattern);

        cJSON_Delete(record);
        cJSON_Delete(message);
        filter_free(g);
        filter_free(f);
    }
    free(attributes);
    free(body);
    free(pattern);
    return 0;
}
