/* sqs_error: the protocol-neutral SQS error value: a kind, AWS's error code for it and a
 * message. The service layer fills one in; the codecs turn it into each protocol's wire
 * shape (see sqs_wire_errors.h). */
#ifndef SQSEMU_SQS_ERROR_H
#define SQSEMU_SQS_ERROR_H

#include <stdbool.h>

typedef enum sqs_err_kind {
    SQS_OK = 0,
    SQS_ERR_QUEUE_DOES_NOT_EXIST,
    SQS_ERR_QUEUE_NAME_EXISTS,
    SQS_ERR_QUEUE_DELETED_RECENTLY,
    SQS_ERR_PURGE_IN_PROGRESS,
    SQS_ERR_MESSAGE_NOT_INFLIGHT,
    SQS_ERR_RECEIPT_HANDLE_INVALID,
    SQS_ERR_TOO_MANY_ENTRIES,
    SQS_ERR_EMPTY_BATCH,
    SQS_ERR_BATCH_IDS_NOT_DISTINCT,
    SQS_ERR_INVALID_BATCH_ENTRY_ID,
    SQS_ERR_BATCH_REQUEST_TOO_LONG,
    SQS_ERR_UNSUPPORTED_OPERATION,
    SQS_ERR_INVALID_ATTRIBUTE_NAME,
    SQS_ERR_INVALID_ATTRIBUTE_VALUE,
    SQS_ERR_INVALID_MESSAGE_CONTENTS,
    SQS_ERR_OVER_LIMIT,
    SQS_ERR_INVALID_ADDRESS,
    SQS_ERR_RESOURCE_NOT_FOUND,
    SQS_ERR_INVALID_PARAMETER_VALUE,
    SQS_ERR_MISSING_PARAMETER,
    SQS_ERR_UNKNOWN_OPERATION,   /* JSON: unknown X-Amz-Target */
    SQS_ERR_SERIALIZATION,       /* JSON: body not parseable / wrong member type */
    SQS_ERR_INVALID_ACTION,      /* query: unknown or misplaced Action */
    SQS_ERR_MISSING_ACTION,      /* query: no Action at all */
    SQS_ERR_REQUEST_TOO_LARGE,   /* body larger than the server accepts */
    SQS_ERR_MALFORMED_INPUT,     /* query: an indexed parameter with a bad index */
    SQS_ERR_SERVICE_UNAVAILABLE, /* the server cannot take the request now (retry) */
    SQS_ERR_MISSING_AUTH_TOKEN,  /* signatures: none given (--auth) */
    SQS_ERR_INCOMPLETE_SIGNATURE,
    SQS_ERR_INVALID_CLIENT_TOKEN, /* an unknown access key id */
    SQS_ERR_SIGNATURE_MISMATCH,   /* also a stale date and a scope naming no region */
    SQS_ERR_REQUEST_EXPIRED,      /* a presigned URL used too late */
    SQS_ERR_INTERNAL,
    SQS_ERR__COUNT
} sqs_err_kind;

#define SQS_ERR_MSG_MAX 1024

typedef struct sqs_error {
    sqs_err_kind kind;
    char message[SQS_ERR_MSG_MAX];
} sqs_error;

/* AWS's error code of a kind, as the query protocol and BatchResultErrorEntry.Code carry it
 * (e.g. "AWS.SimpleQueueService.NonExistentQueue"), and whether the sender is at fault. */
const char *sqs_error_code(sqs_err_kind kind);
bool sqs_error_sender_fault(sqs_err_kind kind);

/* Sets kind and a printf-formatted message; returns false so callers can `return sqs_fail(...)`. */
bool sqs_fail(sqs_error *err, sqs_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Common shapes. */
bool sqs_fail_queue_missing(sqs_error *err);
bool sqs_fail_missing_param(sqs_error *err, const char *param);

#endif
