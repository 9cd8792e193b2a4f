/* cfn/resource_service: the providers' calls of the SQS and Lambda services, in-process and
 * never over HTTP, so that every rule and error of those APIs applies to templates too.
 * A refusal is reported as CloudFormation reports a resource handler's failure
 * ("Resource handler returned message: ... HandlerErrorCode: ...", AWS CloudFormation
 * User Guide, "Troubleshooting"), with the handler error code the failure maps to in the
 * CloudFormation CLI's HandlerErrorCode list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_props.h"
#include "resource_service.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/sqs.h"

static const char *sqs_handler_code(sqs_err_kind kind)
{
    switch (kind) {
    case SQS_ERR_QUEUE_NAME_EXISTS: return "AlreadyExists";
    case SQS_ERR_QUEUE_DOES_NOT_EXIST:
    case SQS_ERR_RESOURCE_NOT_FOUND: return "NotFound";
    case SQS_ERR_QUEUE_DELETED_RECENTLY: return "ResourceConflict";
    case SQS_ERR_SERVICE_UNAVAILABLE: return "Throttling";
    case SQS_ERR_INTERNAL: return "ServiceInternalError";
    default: return "InvalidRequest";
    }
}

bool resource_sqs(const cfn_resource *r, const char *action, const cJSON *input, cJSON **output, bool missing_ok,
                  cfn_error *err)
{
    sqs_ctx ctx = {
        .account = r->ctx->account,
        .region = r->ctx->region,
        .url_base = r->ctx->url_base,
        .sender_id = r->ctx->account,
        .now_ms = clock_now_ms(),
    };
    cJSON *out = NULL;
    sqs_error e = {0};
    sqs_status status = sqs_service_call(&ctx, action, input, &out, &e);
    sqs_ctx_release(&ctx);
    if (output)
        *output = NULL;
    if (status == SQS_STATUS_OK) {
        if (output)
            *output = out;
        else
            cJSON_Delete(out);
        return true;
    }
    cJSON_Delete(out);
    if (status == SQS_STATUS_PENDING)
        return props_handler_fail(err, "InternalFailure", "the call did not answer at once");
    if (missing_ok && e.kind == SQS_ERR_QUEUE_DOES_NOT_EXIST)
        return true;
    return props_handler_fail(err, sqs_handler_code(e.kind), e.message);
}

static const char *lambda_handler_code(lambda_err_kind kind)
{
    switch (kind) {
    case LAMBDA_ERR_NOT_FOUND: return "NotFound";
    case LAMBDA_ERR_CONFLICT: return "AlreadyExists";
    case LAMBDA_ERR_IN_USE:
    case LAMBDA_ERR_PRECONDITION: return "ResourceConflict";
    case LAMBDA_ERR_TOO_MANY_REQUESTS: return "Throttling";
    case LAMBDA_ERR_ACCESS_DENIED: return "AccessDenied";
    case LAMBDA_ERR_SERVICE: return "ServiceInternalError";
    default: return "InvalidRequest";
    }
}

bool resource_lambda(const cfn_resource *r, const lambda_call *call, cJSON **output, bool missing_ok, cfn_error *err)
{
    lambda_ctx ctx = {.account = r->ctx->account, .region = r->ctx->region, .now_ms = clock_now_ms()};
    lambda_result result;
    memset(&result, 0, sizeof result);
    lambda_error e;
    memset(&e, 0, sizeof e);
    lambda_status status = lambda_service_call(&ctx, call, &result, &e, NULL, NULL);
    if (output)
        *output = NULL;
    if (status == LAMBDA_STATUS_OK) {
        if (output) {
            *output = result.json ? result.json : cJSON_CreateObject();
            result.json = NULL;
        }
        lambda_result_free(&result);
        return true;
    }
    if (status == LAMBDA_STATUS_PENDING)
        return props_handler_fail(err, "InternalFailure", "the call did not answer at once");
    if (missing_ok && e.kind == LAMBDA_ERR_NOT_FOUND)
        return true;
    return props_handler_fail(err, lambda_handler_code(e.kind), e.message);
}

char *resource_queue_url_of_arn(const cfn_resource *r, const char *arn)
{
    if (!arn || strncmp(arn, "arn:", 4) != 0)
        return NULL;
    const char *parts[6] = {0};
    const char *p = arn;
    for (int i = 0; i < 6 && p; i++) {
        parts[i] = p;
        p = i < 5 ? strchr(p, ':') : NULL;
        if (p)
            p++;
    }
    if (!parts[5] || strncmp(parts[2], "sqs:", 4) != 0 || strchr(parts[5], ':') || strchr(parts[5], '/'))
        return NULL;
    int account_len = (int)(parts[5] - parts[4] - 1);
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/%.*s/%s", r->ctx->url_base, account_len, parts[4], parts[5]);
    return buf_detach(&b, NULL);
}

bool resource_lambda_retag(const cfn_resource *r, const char *arn, const cJSON *old_props, const cJSON *props,
                           cfn_error *err)
{
    cJSON *before = props_tag_map(old_props), *after = props_tag_map(props);
    const char *gone[64];
    size_t gone_count = 0;
    const cJSON *tag;
    cJSON_ArrayForEach(tag, before)
        if (!cJSON_GetObjectItemCaseSensitive(after, tag->string) && gone_count < 64)
            gone[gone_count++] = tag->string;
    bool ok = true;
    if (gone_count) {
        lambda_call c = {.op = LAMBDA_OP_UNTAG_RESOURCE, .name = arn, .tag_keys = gone, .tag_key_count = gone_count};
        ok = resource_lambda(r, &c, NULL, false, err);
    }
    if (ok && cJSON_GetArraySize(after) > 0 && !cJSON_Compare(before, after, true)) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "Tags", after);
        after = NULL;
        lambda_call c = {.op = LAMBDA_OP_TAG_RESOURCE, .name = arn, .body = body};
        ok = resource_lambda(r, &c, NULL, false, err);
        cJSON_Delete(body);
    }
    cJSON_Delete(before);
    cJSON_Delete(after);
    return ok;
}
