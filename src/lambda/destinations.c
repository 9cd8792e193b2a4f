/* lambda/destinations: where the record of an asynchronous invocation goes, after AWS's
 * developer guide ("Capturing records of Lambda asynchronous invocations"). The record is
 * {version "1.0", timestamp (ISO 8601, emulated clock), requestContext {requestId,
 * functionArn (qualified), condition, approximateInvokeCount}, requestPayload (the event),
 * responseContext {statusCode 200, executedVersion, functionError when it failed},
 * responsePayload (the function's answer)}. An SQS destination gets it as the body of one
 * message, sent through the SQS service in-process; a Lambda destination gets it as the
 * event of an asynchronous invocation. SNS, EventBridge and S3 destinations are refused
 * when configured (event_config.c), so none reaches here. The dead-letter queue send of
 * async_invoke.c uses the same SQS path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_config.h"
#include "invoke.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"
#include "sqsemu/sqs.h"

static const char *condition_name(record_condition c)
{
    switch (c) {
    case RECORD_SUCCESS: return "Success";
    case RECORD_RETRIES_EXHAUSTED: return "RetriesExhausted";
    case RECORD_EVENT_AGE_EXCEEDED: return "EventAgeExceeded";
    }
    return "RetriesExhausted";
}

/* A JSON document as a value: parsed when it is JSON, else as a string; empty is null. */
static cJSON *json_value(const char *text, size_t len)
{
    if (!text || len == 0)
        return cJSON_CreateNull();
    cJSON *doc = json_parse_strict(text, len, NULL, 0);
    if (doc)
        return doc;
    char *copy = xstrndup(text, len);
    doc = cJSON_CreateString(copy);
    free(copy);
    return doc;
}

static void iso_timestamp(int64_t ms, char out[64])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static char *record_json(const invocation_record *rec)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "version", "1.0");
    char stamp[64];
    iso_timestamp(clock_now_ms(), stamp);
    cJSON_AddStringToObject(doc, "timestamp", stamp);
    cJSON *context = cJSON_AddObjectToObject(doc, "requestContext");
    cJSON_AddStringToObject(context, "requestId", rec->request_id);
    cJSON_AddStringToObject(context, "functionArn", rec->function_arn);
    cJSON_AddStringToObject(context, "condition", condition_name(rec->condition));
    cJSON_AddNumberToObject(context, "approximateInvokeCount", rec->invoke_count);
    cJSON_AddItemToObject(doc, "requestPayload", json_value(rec->request_payload, rec->request_len));
    if (rec->responded) {
        cJSON *response = cJSON_AddObjectToObject(doc, "responseContext");
        cJSON_AddNumberToObject(response, "statusCode", 200);
        cJSON_AddStringToObject(response, "executedVersion",
                                rec->executed_version ? rec->executed_version : "$LATEST");
        if (rec->function_error)
            cJSON_AddStringToObject(response, "functionError", "Unhandled");
        cJSON_AddItemToObject(doc, "responsePayload", json_value(rec->response_payload, rec->response_len));
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

bool destination_send_sqs(const char *arn, const char *body, const cJSON *attributes, const char *who,
                          const char *request_id)
{
    sqs_queue_info info = sqs_queue_lookup(arn);
    if (!info.exists) {
        log_warn("[%s %s] destination queue %s does not exist; the record is dropped", who, request_id, arn);
        return false;
    }
    char region[64] = "", account[16] = "";
    sscanf(arn, "arn:%*[^:]:sqs:%63[^:]:%15[^:]:", region, account);
    cJSON *input = cJSON_CreateObject();
    cJSON_AddStringToObject(input, "QueueUrl", info.url_path);
    cJSON_AddStringToObject(input, "MessageBody", body);
    if (attributes)
        cJSON_AddItemToObject(input, "MessageAttributes", cJSON_Duplicate(attributes, true));
    sqs_ctx ctx = {.account = account, .region = region, .url_base = "http://127.0.0.1", .sender_id = account,
                   .now_ms = clock_now_ms()};
    cJSON *output = NULL;
    sqs_error err = {0};
    bool ok = sqs_service_call(&ctx, "SendMessage", input, &output, &err) == SQS_STATUS_OK;
    if (!ok)
        log_warn("[%s %s] could not send to the queue %s: %s", who, request_id, arn, err.message);
    cJSON_Delete(output);
    cJSON_Delete(input);
    return ok;
}

/* An asynchronous invocation of the destination function, with the record as its event. */
static void send_lambda(const char *arn, const char *body, const invocation_record *rec)
{
    char region[64] = "", account[16] = "";
    sscanf(arn, "arn:%*[^:]:lambda:%63[^:]:%15[^:]:", region, account);
    lambda_ctx ctx = {.account = account, .region = region, .now_ms = clock_now_ms()};
    lambda_error err = {0};
    lambda_function *target = functions_resolve(&ctx, arn, NULL, true, &err);
    if (!target) {
        log_warn("[%s %s] destination function %s does not exist; the record is dropped (%s)", rec->function_name,
                 rec->request_id, arn, err.message);
        return;
    }
    invoke_request req = {.payload = body, .payload_len = strlen(body), .invoked_arn = arn};
    char request_id[37];
    async_invoke(target, &req, request_id);
    log_info("[%s %s] record sent to the function %s (its request %s)", rec->function_name, rec->request_id, arn,
             request_id);
}

void destination_deliver(const char *destination, const invocation_record *rec)
{
    char *body = record_json(rec);
    const char *condition = condition_name(rec->condition);
    if (strstr(destination, ":sqs:")) {
        if (destination_send_sqs(destination, body, NULL, rec->function_name, rec->request_id))
            log_info("[%s %s] %s record sent to the queue %s", rec->function_name, rec->request_id, condition,
                     destination);
    } else if (strstr(destination, ":lambda:")) {
        send_lambda(destination, body, rec);
    } else {
        log_warn("[%s %s] destination %s is not an SQS queue or a Lambda function; the record is dropped",
                 rec->function_name, rec->request_id, destination);
    }
    free(body);
}
