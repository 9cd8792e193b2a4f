/* lambda/event_config.h: the asynchronous-invocation configuration of a function
 * (event_config.c: Put/Update/Get/Delete/ListFunctionEventInvokeConfigs) and the settings
 * an Event invocation reads from it (async_invoke.c), and the delivery of invocation
 * records to destinations (destinations.c). */
#ifndef SQSEMU_LAMBDA_EVENT_CONFIG_H
#define SQSEMU_LAMBDA_EVENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "function.h"

/* AWS's defaults (Lambda developer guide, "Configuring error handling for asynchronous
 * invocation"): two retries, events kept up to six hours. */
#define ASYNC_DEFAULT_RETRIES 2
#define ASYNC_DEFAULT_MAX_AGE_S 21600

/* What an Event invocation of f (invoked as `qualifier`, "$LATEST" when unqualified) reads
 * at each attempt; destinations are NULL when not configured. Strings are borrowed from
 * f's record: valid until the next change of f. */
typedef struct async_settings {
    int max_retries;
    int max_age_s;
    const char *on_success;
    const char *on_failure;
} async_settings;

async_settings event_config_settings(const lambda_function *f, const char *qualifier);

/* ---- the operations ---- */
bool eic_put(const lambda_ctx *ctx, const char *name, const char *qualifier, const cJSON *in, cJSON *out,
             lambda_error *err);
bool eic_update(const lambda_ctx *ctx, const char *name, const char *qualifier, const cJSON *in, cJSON *out,
                lambda_error *err);
bool eic_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err);
bool eic_delete(const lambda_ctx *ctx, const char *name, const char *qualifier, lambda_error *err);
bool eic_list(const lambda_ctx *ctx, const char *name, const char *marker, const char *max_items, cJSON *out,
              lambda_error *err);

/* ---- destinations (destinations.c) ---- */

/* Why a record is sent: AWS's requestContext.condition. */
typedef enum record_condition { RECORD_SUCCESS, RECORD_RETRIES_EXHAUSTED, RECORD_EVENT_AGE_EXCEEDED } record_condition;

typedef struct invocation_record {
    const char *function_name; /* for log lines */
    const char *request_id;
    const char *function_arn; /* qualified, e.g. ...:function:f:$LATEST */
    const char *executed_version; /* "$LATEST" or the version number that ran */
    record_condition condition;
    int invoke_count;
    const char *request_payload;
    size_t request_len;
    bool responded;      /* an attempt ran: responseContext and responsePayload are included */
    bool function_error; /* the last attempt failed */
    const char *response_payload;
    size_t response_len;
} invocation_record;

/* Sends AWS's invocation record to destination (an SQS queue or Lambda function ARN). A
 * destination that does not exist, or a send that fails, is logged as a warning. */
void destination_deliver(const char *destination, const invocation_record *rec);
/* Sends body to the SQS queue arn with the given message attributes (a JSON object of
 * {Name: {DataType, StringValue}}, or NULL); false (with a warning naming who) on failure. */
bool destination_send_sqs(const char *arn, const char *body, const cJSON *attributes, const char *who,
                          const char *request_id);

#endif
