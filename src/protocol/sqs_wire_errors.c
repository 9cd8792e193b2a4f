/* sqs_wire_errors: the wire catalogue of SQS errors (JSON __type, HTTP status, query-only
 * texts). AWS's codes and fault live with the error value (src/sqs/error.c). */
#include "sqsemu/sqs_wire_errors.h"

#include <stddef.h>

#define SQS_NS "com.amazonaws.sqs#"
#define CORAL_NS "com.amazon.coral.service#"

static const sqs_wire_error catalogue[SQS_ERR__COUNT] = {
    [SQS_OK] = {"", 200, NULL, false},
    [SQS_ERR_QUEUE_DOES_NOT_EXIST] = {SQS_NS "QueueDoesNotExist", 400,
                                      "The specified queue does not exist for this wsdl version.", true},
    [SQS_ERR_QUEUE_NAME_EXISTS] = {SQS_NS "QueueNameExists", 400, NULL, true},
    [SQS_ERR_QUEUE_DELETED_RECENTLY] = {SQS_NS "QueueDeletedRecently", 400, NULL, true},
    [SQS_ERR_PURGE_IN_PROGRESS] = {SQS_NS "PurgeQueueInProgress", 403, NULL, true},
    [SQS_ERR_MESSAGE_NOT_INFLIGHT] = {SQS_NS "MessageNotInflight", 400, NULL, true},
    [SQS_ERR_RECEIPT_HANDLE_INVALID] = {SQS_NS "ReceiptHandleIsInvalid", 404, NULL, true},
    [SQS_ERR_TOO_MANY_ENTRIES] = {SQS_NS "TooManyEntriesInBatchRequest", 400, NULL, true},
    [SQS_ERR_EMPTY_BATCH] = {SQS_NS "EmptyBatchRequest", 400, NULL, true},
    [SQS_ERR_BATCH_IDS_NOT_DISTINCT] = {SQS_NS "BatchEntryIdsNotDistinct", 400, NULL, true},
    [SQS_ERR_INVALID_BATCH_ENTRY_ID] = {SQS_NS "InvalidBatchEntryId", 400, NULL, true},
    [SQS_ERR_BATCH_REQUEST_TOO_LONG] = {SQS_NS "BatchRequestTooLong", 400, NULL, true},
    [SQS_ERR_UNSUPPORTED_OPERATION] = {SQS_NS "UnsupportedOperation", 400, NULL, true},
    [SQS_ERR_INVALID_ATTRIBUTE_NAME] = {SQS_NS "InvalidAttributeName", 400, NULL, true},
    [SQS_ERR_INVALID_ATTRIBUTE_VALUE] = {SQS_NS "InvalidAttributeValue", 400, NULL, true},
    [SQS_ERR_INVALID_MESSAGE_CONTENTS] = {SQS_NS "InvalidMessageContents", 400, NULL, true},
    [SQS_ERR_OVER_LIMIT] = {SQS_NS "OverLimit", 403, NULL, true},
    [SQS_ERR_INVALID_ADDRESS] = {SQS_NS "InvalidAddress", 404, NULL, true},
    [SQS_ERR_RESOURCE_NOT_FOUND] = {SQS_NS "ResourceNotFoundException", 404, NULL, true},
    [SQS_ERR_INVALID_PARAMETER_VALUE] = {CORAL_NS "InvalidParameterValueException", 400, NULL, true},
    [SQS_ERR_MISSING_PARAMETER] = {CORAL_NS "MissingRequiredParameterException", 400, NULL, true},
    [SQS_ERR_UNKNOWN_OPERATION] = {CORAL_NS "UnknownOperationException", 400, NULL, false},
    [SQS_ERR_SERIALIZATION] = {CORAL_NS "SerializationException", 400, NULL, false},
    [SQS_ERR_INVALID_ACTION] = {CORAL_NS "InvalidActionException", 400, NULL, true},
    [SQS_ERR_MISSING_ACTION] = {CORAL_NS "MissingActionException", 400, NULL, true},
    [SQS_ERR_REQUEST_TOO_LARGE] = {CORAL_NS "RequestEntityTooLargeException", 413, NULL, true},
    [SQS_ERR_MALFORMED_INPUT] = {CORAL_NS "MalformedInputException", 400, NULL, true},
    [SQS_ERR_SERVICE_UNAVAILABLE] = {CORAL_NS "ServiceUnavailableException", 503, NULL, true},
    [SQS_ERR_MISSING_AUTH_TOKEN] = {CORAL_NS "MissingAuthenticationTokenException", 403, NULL, true},
    [SQS_ERR_INCOMPLETE_SIGNATURE] = {CORAL_NS "IncompleteSignatureException", 400, NULL, true},
    [SQS_ERR_INVALID_CLIENT_TOKEN] = {CORAL_NS "UnrecognizedClientException", 403, NULL, true},
    [SQS_ERR_SIGNATURE_MISMATCH] = {CORAL_NS "InvalidSignatureException", 403, NULL, true},
    [SQS_ERR_REQUEST_EXPIRED] = {CORAL_NS "RequestExpired", 400, NULL, true},
    [SQS_ERR_INTERNAL] = {CORAL_NS "InternalFailure", 500, NULL, true},
};

const sqs_wire_error *sqs_wire_error_of(sqs_err_kind kind)
{
    if ((int)kind < 0 || kind >= SQS_ERR__COUNT)
        kind = SQS_ERR_INTERNAL;
    return &catalogue[kind];
}
