/* admin/admin: the admin API's operations (include/sqsemu/admin.h) over the SQS and Lambda
 * services and the clock. A reset goes through each service's own transaction: the Lambda
 * half first (its pollers stop and its running handlers are stopped), then the queues. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/admin.h"
#include "sqsemu/clock.h"
#include "sqsemu/http.h"
#include "sqsemu/lambda.h"
#include "sqsemu/logs.h"
#include "sqsemu/sqs.h"
#include "sqsemu/tx.h"
#include "sqsemu/waiters.h"

/* The clock's readings stay below 10000-01-01 (and so exact in a JSON number). */
#define CLOCK_MAX_MS 253402300800000LL

static cJSON *fail(admin_error *err, int status, const char *code, const char *message)
{
    err->status = status;
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->message, sizeof err->message, "%s", message);
    return NULL;
}

/* Service errors keep their AWS code; the status says whose fault it is. */
static cJSON *fail_sqs(admin_error *err, const sqs_error *e)
{
    int status = e->kind == SQS_ERR_QUEUE_DOES_NOT_EXIST ? 404 : e->kind == SQS_ERR_INTERNAL ? 500 : 400;
    return fail(err, status, sqs_error_code(e->kind), e->message);
}

static cJSON *fail_lambda(admin_error *err, const lambda_error *e)
{
    int status = e->kind == LAMBDA_ERR_NOT_FOUND ? 404 : e->kind == LAMBDA_ERR_SERVICE ? 500 : 400;
    return fail(err, status, lambda_err_name(e->kind), e->message);
}

/* ---- health ---- */

cJSON *admin_health(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", "running");
    cJSON_AddStringToObject(doc, "version", SQSEMU_VERSION);
    cJSON *services = cJSON_AddObjectToObject(doc, "services");
    cJSON_AddStringToObject(services, "sqs", "running");
    cJSON_AddStringToObject(services, "lambda", "running");
    cJSON_AddStringToObject(services, "logs", "running");
    cJSON_AddNumberToObject(doc, "parked_requests", (double)http_parked_count());
    cJSON_AddNumberToObject(doc, "waiting_receives", (double)waiters_count());
    return doc;
}

cJSON *admin_localstack_health(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *services = cJSON_AddObjectToObject(doc, "services");
    cJSON_AddStringToObject(services, "sqs", "running");
    cJSON_AddStringToObject(services, "lambda", "running");
    cJSON_AddStringToObject(services, "logs", "running");
    cJSON_AddStringToObject(doc, "edition", "community");
    cJSON_AddStringToObject(doc, "version", SQSEMU_VERSION);
    return doc;
}

/* ---- the clock ---- */

cJSON *admin_clock(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "now_ms", (double)clock_now_ms());
    cJSON_AddNumberToObject(doc, "offset_ms", (double)clock_offset_ms());
    cJSON_AddBoolToObject(doc, "frozen", clock_frozen());
    return doc;
}

/* An integer member (JSON numbers are doubles: whole and within 2^53). */
static bool int_member(const cJSON *item, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double v = item->valuedouble;
    if (v != floor(v) || fabs(v) > 9007199254740992.0)
        return false;
    *out = (int64_t)v;
    return true;
}

cJSON *admin_clock_change(const cJSON *body, admin_error *err)
{
    if (!cJSON_IsObject(body) || !body->child)
        return fail(err, 400, "InvalidParameterValue",
                    "The body must be a JSON object with advance_ms, set_ms and/or freeze.");
    const cJSON *advance = NULL, *set = NULL, *freeze = NULL;
    for (const cJSON *m = body->child; m; m = m->next) {
        const cJSON **slot = strcmp(m->string, "advance_ms") == 0 ? &advance
                             : strcmp(m->string, "set_ms") == 0   ? &set
                             : strcmp(m->string, "freeze") == 0   ? &freeze
                                                                  : NULL;
        if (!slot)
            return fail(err, 400, "InvalidParameterValue", "Unknown member: only advance_ms, set_ms and freeze.");
        if (*slot)
            return fail(err, 400, "InvalidParameterValue", "A member is given twice.");
        *slot = m;
    }
    int64_t delta = 0, target = 0;
    if (advance && set)
        return fail(err, 400, "InvalidParameterValue", "Give advance_ms or set_ms, not both.");
    if (advance && (!int_member(advance, &delta) || delta < 0))
        return fail(err, 400, "InvalidParameterValue", "advance_ms must be an integer >= 0 (the clock only moves "
                                                       "forward).");
    if (set && (!int_member(set, &target) || target < clock_now_ms()))
        return fail(err, 400, "InvalidParameterValue", "set_ms must be an integer of epoch milliseconds, not before "
                                                       "the clock's now_ms (the clock only moves forward).");
    if (freeze && !cJSON_IsBool(freeze))
        return fail(err, 400, "InvalidParameterValue", "freeze must be true or false.");
    int64_t now = clock_now_ms();
    if ((advance && delta > CLOCK_MAX_MS - now) || (set && target > CLOCK_MAX_MS))
        return fail(err, 400, "InvalidParameterValue", "The clock cannot go beyond the year 9999.");
    if (advance)
        clock_advance(delta);
    if (set)
        clock_set(target);
    if (freeze)
        clock_freeze(cJSON_IsTrue(freeze));
    return admin_clock();
}

/* ---- reset ---- */

static sqs_ctx sqs_context(const admin_caller *c)
{
    return (sqs_ctx){
        .account = c->account,
        .region = c->region,
        .url_base = c->url_base,
        .sender_id = c->account,
        .now_ms = clock_now_ms(),
    };
}

static bool is_url(const char *queue)
{
    return strncmp(queue, "http://", 7) == 0 || strncmp(queue, "https://", 8) == 0;
}

static cJSON *queue_input(const char *queue)
{
    cJSON *in = cJSON_CreateObject();
    if (queue)
        cJSON_AddStringToObject(in, is_url(queue) ? "QueueUrl" : "QueueName", queue);
    return in;
}

static bool reset_queues(const admin_caller *c, const char *queue, cJSON *out, admin_error *err)
{
    sqs_ctx ctx = sqs_context(c);
    cJSON *in = queue_input(queue);
    cJSON *result = NULL;
    sqs_error e = {0};
    sqs_status status = sqs_admin_call(&ctx, "Reset", in, &result, &e);
    cJSON_Delete(in);
    if (status != SQS_STATUS_OK)
        return fail_sqs(err, &e), false;
    cJSON_AddNumberToObject(out, "QueuesRemoved",
                            cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(result, "QueuesRemoved")));
    cJSON_Delete(result);
    return true;
}

static bool reset_functions(const admin_caller *c, const char *function, cJSON *out, admin_error *err)
{
    lambda_ctx ctx = {c->account, c->region, clock_now_ms()};
    lambda_call call = {.op = LAMBDA_OP_ADMIN_RESET, .name = function};
    lambda_result result;
    lambda_error e = {0};
    if (lambda_service_call(&ctx, &call, &result, &e, NULL, NULL) != LAMBDA_STATUS_OK)
        return fail_lambda(err, &e), false;
    const char *members[] = {"FunctionsRemoved", "MappingsRemoved"};
    for (int i = 0; i < 2; i++)
        cJSON_AddNumberToObject(out, members[i],
                                cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(result.json, members[i])));
    lambda_result_free(&result);
    return true;
}

/* One transaction around both services' calls (theirs become savepoints): a reset that
 * fails for one name removes nothing for the other. */
cJSON *admin_reset(const admin_caller *c, const char *queue, const char *function, admin_error *err)
{
    if (!tx_open())
        return fail(err, 500, "InternalError", "The store could not start a transaction.");
    cJSON *out = cJSON_CreateObject();
    bool everything = !queue && !function;
    bool ok = (!function && !everything) || reset_functions(c, function, out, err);
    ok = ok && ((!queue && !everything) || reset_queues(c, queue, out, err));
    if (ok && everything)
        logs_reset_all(); /* also the groups of functions deleted before */
    if (!tx_close(ok) && ok)
        ok = fail(err, 500, "InternalError", "The reset could not be stored.") != NULL;
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ---- messages ---- */

static bool parse_count(const char *text, int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || text[0] == '+' || text[0] == ' ')
        return false;
    *out = v;
    return true;
}

cJSON *admin_messages(const admin_caller *c, const char *queue, const char *limit, const char *next_token,
                      admin_error *err)
{
    if (!queue || !*queue)
        return fail(err, 400, "MissingParameter", "The request must contain the parameter QueueUrl (or QueueName).");
    int64_t n = 0;
    if (limit && !parse_count(limit, &n))
        return fail(err, 400, "InvalidParameterValue", "Limit must be an integer from 1 to 1000.");
    cJSON *in = queue_input(queue);
    if (limit)
        cJSON_AddNumberToObject(in, "Limit", (double)n);
    if (next_token)
        cJSON_AddStringToObject(in, "NextToken", next_token);
    sqs_ctx ctx = sqs_context(c);
    cJSON *out = NULL;
    sqs_error e = {0};
    sqs_status status = sqs_admin_call(&ctx, "PeekMessages", in, &out, &e);
    cJSON_Delete(in);
    return status == SQS_STATUS_OK ? out : fail_sqs(err, &e);
}

cJSON *admin_delete_message(const admin_caller *c, const char *queue, const char *message_id, admin_error *err)
{
    if (!queue || !*queue)
        return fail(err, 400, "MissingParameter", "The request must contain the parameter QueueUrl (or QueueName).");
    cJSON *in = queue_input(queue);
    if (message_id)
        cJSON_AddStringToObject(in, "MessageId", message_id);
    sqs_ctx ctx = sqs_context(c);
    cJSON *out = NULL;
    sqs_error e = {0};
    sqs_status status = sqs_admin_call(&ctx, "DeleteMessage", in, &out, &e);
    cJSON_Delete(in);
    return status == SQS_STATUS_OK ? out : fail_sqs(err, &e);
}

/* ---- invocations ---- */

cJSON *admin_invocations(const admin_caller *c, const char *function, const char *limit, admin_error *err)
{
    lambda_ctx ctx = {c->account, c->region, clock_now_ms()};
    lambda_call call = {.op = LAMBDA_OP_ADMIN_INVOCATIONS, .name = function, .max_items = limit};
    lambda_result result;
    lambda_error e = {0};
    if (lambda_service_call(&ctx, &call, &result, &e, NULL, NULL) != LAMBDA_STATUS_OK)
        return fail_lambda(err, &e);
    cJSON *out = result.json;
    result.json = NULL;
    lambda_result_free(&result);
    return out;
}
