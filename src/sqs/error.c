/* sqs/error: the SQS error value: AWS's code and fault of each kind, and the helpers that
 * fill one in. How an error looks on the wire is the codecs' business
 * (protocol/sqs_wire_errors). */
#include "sqsemu/sqs_error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *code;
    bool sender;
} codes[SQS_ERR__COUNT] = {
    [SQS_OK] = {"", true},
    [SQS_ERR_QUEUE_DOES_NOT_EXIST] = {"AWS.SimpleQueueService.NonExistentQueue", true},
    [SQS_ERR_QUEUE_NAME_EXISTS] = {"QueueAlreadyExists", true},
    [SQS_ERR_QUEUE_DELETED_RECENTLY] = {"AWS.SimpleQueueService.QueueDeletedRecently", true},
    [SQS_ERR_PURGE_IN_PROGRESS] = {"AWS.SimpleQueueService.PurgeQueueInProgress", true},
    [SQS_ERR_MESSAGE_NOT_INFLIGHT] = {"AWS.SimpleQueueService.MessageNotInflight", true},
    [SQS_ERR_RECEIPT_HANDLE_INVALID] = {"ReceiptHandleIsInvalid", true},
    [SQS_ERR_TOO_MANY_ENTRIES] = {"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", true},
    [SQS_ERR_EMPTY_BATCH] = {"AWS.SimpleQueueService.EmptyBatchRequest", true},
    [SQS_ERR_BATCH_IDS_NOT_DISTINCT] = {"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", true},
    [SQS_ERR_INVALID_BATCH_ENTRY_ID] = {"AWS.SimpleQueueService.InvalidBatchEntryId", true},
    [SQS_ERR_BATCH_REQUEST_TOO_LONG] = {"AWS.SimpleQueueService.BatchRequestTooLong", true},
    [SQS_ERR_UNSUPPORTED_OPERATION] = {"AWS.SimpleQueueService.UnsupportedOperation", true},
    [SQS_ERR_INVALID_ATTRIBUTE_NAME] = {"InvalidAttributeName", true},
    [SQS_ERR_INVALID_ATTRIBUTE_VALUE] = {"InvalidAttributeValue", true},
    [SQS_ERR_INVALID_MESSAGE_CONTENTS] = {"InvalidMessageContents", true},
    [SQS_ERR_OVER_LIMIT] = {"OverLimit", true},
    [SQS_ERR_INVALID_ADDRESS] = {"InvalidAddress", true},
    [SQS_ERR_RESOURCE_NOT_FOUND] = {"ResourceNotFoundException", true},
    [SQS_ERR_INVALID_PARAMETER_VALUE] = {"InvalidParameterValue", true},
    [SQS_ERR_MISSING_PARAMETER] = {"MissingParameter", true},
    [SQS_ERR_UNKNOWN_OPERATION] = {"UnknownOperationException", true},
    [SQS_ERR_SERIALIZATION] = {"SerializationException", true},
    [SQS_ERR_INVALID_ACTION] = {"InvalidAction", true},
    [SQS_ERR_MISSING_ACTION] = {"MissingAction", true},
    [SQS_ERR_REQUEST_TOO_LARGE] = {"RequestEntityTooLarge", true},
    [SQS_ERR_MALFORMED_INPUT] = {"MalformedInput", true},
    [SQS_ERR_SERVICE_UNAVAILABLE] = {"ServiceUnavailable", false},
    [SQS_ERR_MISSING_AUTH_TOKEN] = {"MissingAuthenticationToken", true},
    [SQS_ERR_INCOMPLETE_SIGNATURE] = {"IncompleteSignature", true},
    [SQS_ERR_INVALID_CLIENT_TOKEN] = {"InvalidClientTokenId", true},
    [SQS_ERR_SIGNATURE_MISMATCH] = {"SignatureDoesNotMatch", true},
    [SQS_ERR_REQUEST_EXPIRED] = {"RequestExpired", true},
    [SQS_ERR_INTERNAL] = {"InternalError", false},
};

static sqs_err_kind known(sqs_err_kind kind)
{
    return (int)kind < 0 || kind >= SQS_ERR__COUNT ? SQS_ERR_INTERNAL : kind;
}

const char *sqs_error_code(sqs_err_kind kind)
{
    return codes[known(kind)].code;
}

bool sqs_error_sender_fault(sqs_err_kind kind)
{
    return codes[known(kind)].sender;
}

bool sqs_fail(sqs_error *err, sqs_err_kind kind, const char *fmt, ...)
{
    if (!err)
        return false;
    err->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

bool sqs_fail_queue_missing(sqs_error *err)
{
    return sqs_fail(err, SQS_ERR_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
}

bool sqs_fail_missing_param(sqs_error *err, const char *param)
{
    return sqs_fail(err, SQS_ERR_MISSING_PARAMETER, "The request must contain the parameter %s.", param);
}
