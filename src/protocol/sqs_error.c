/* sqs_error: the SQS error catalogue (JSON __type, query code, HTTP status, fault). */
#include "sqsemu/sqs_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SQS_NS "com.amazonaws.sqs#"
#define CORAL_NS "com.amazon.coral.service#"

static const sqs_err_info catalogue[SQS_ERR__COUNT] = {
    [SQS_OK] = {"", NULL, 200, true},
    [SQS_ERR_QUEUE_DOES_NOT_EXIST] = {SQS_NS "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, true},
    [SQS_ERR_QUEUE_NAME_EXISTS] = {SQS_NS "QueueNameExists", "QueueAlreadyExists", 400, true},
    [SQS_ERR_QUEUE_DELETED_RECENTLY] = {SQS_NS "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400, true},
    [SQS_ERR_PURGE_IN_PROGRESS] = {SQS_NS "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403, true},
    [SQS_ERR_MESSAGE_NOT_INFLIGHT] = {SQS_NS "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400, true},
    [SQS_ERR_RECEIPT_HANDLE_INVALID] = {SQS_NS "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, true},
    [SQS_ERR_TOO_MANY_ENTRIES] = {SQS_NS "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, true},
    [SQS_ERR_EMPTY_BATCH] = {SQS_NS "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400, true},
    [SQS_ERR_BATCH_IDS_NOT_DISTINCT] = {SQS_NS "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, true},
    [SQS_ERR_INVALID_BATCH_ENTRY_ID] = {SQS_NS "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400, true},
    [SQS_ERR_BATCH_REQUEST_TOO_LONG] = {SQS_NS "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400, true},
    [SQS_ERR_UNSUPPORTED_OPERATION] = {SQS_NS "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, true},
    [SQS_ERR_INVALID_ATTRIBUTE_NAME] = {SQS_NS "InvalidAttributeName", "InvalidAttributeName", 400, true},
    [SQS_ERR_INVALID_ATTRIBUTE_VALUE] = {SQS_NS "InvalidAttributeValue", "InvalidAttributeValue", 400, true},
    [SQS_ERR_INVALID_MESSAGE_CONTENTS] = {SQS_NS "InvalidMessageContents", "InvalidMessageContents", 400, true},
    [SQS_ERR_OVER_LIMIT] = {SQS_NS "OverLimit", "OverLimit", 403, true},
    [SQS_ERR_INVALID_ADDRESS] = {SQS_NS "InvalidAddress", "InvalidAddress", 404, true},
    [SQS_ERR_RESOURCE_NOT_FOUND] = {SQS_NS "ResourceNotFoundException", "ResourceNotFoundException", 404, true},
    [SQS_ERR_INVALID_PARAMETER_VALUE] = {CORAL_NS "InvalidParameterValueException", "InvalidParameterValue", 400, true},
    [SQS_ERR_MISSING_PARAMETER] = {CORAL_NS "MissingRequiredParameterException", "MissingParameter", 400, true},
    [SQS_ERR_UNKNOWN_OPERATION] = {CORAL_NS "UnknownOperationException", NULL, 400, true},
    [SQS_ERR_SERIALIZATION] = {CORAL_NS "SerializationException", NULL, 400, true},
    [SQS_ERR_INVALID_ACTION] = {CORAL_NS "InvalidActionException", "InvalidAction", 400, true},
    [SQS_ERR_MISSING_ACTION] = {CORAL_NS "MissingActionException", "MissingAction", 400, true},
    [SQS_ERR_REQUEST_TOO_LARGE] = {CORAL_NS "RequestEntityTooLargeException", "RequestEntityTooLarge", 413, true},
    [SQS_ERR_MALFORMED_INPUT] = {CORAL_NS "MalformedInputException", "MalformedInput", 400, true},
    [SQS_ERR_INTERNAL] = {CORAL_NS "InternalFailure", "InternalError", 500, false},
};

const sqs_err_info *sqs_err_info_of(sqs_err_kind kind)
{
    if ((int)kind < 0 || kind >= SQS_ERR__COUNT)
        kind = SQS_ERR_INTERNAL;
    return &catalogue[kind];
}

bool sqs_fail(sqs_error *err, sqs_err_kind kind, const char *fmt, ...)
{
    if (!err)
        return false;
    err->kind = kind;
    err->query_message[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

bool sqs_fail_queue_missing(sqs_error *err)
{
    sqs_fail(err, SQS_ERR_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    if (err)
        snprintf(err->query_message, sizeof err->query_message,
                 "The specified queue does not exist for this wsdl version.");
    return false;
}

bool sqs_fail_missing_param(sqs_error *err, const char *param)
{
    return sqs_fail(err, SQS_ERR_MISSING_PARAMETER, "The request must contain the parameter %s.", param);
}
