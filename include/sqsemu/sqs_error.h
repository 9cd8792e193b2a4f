/* sqs_error: the protocol-neutral SQS error value and the catalogue of SQS error kinds.
 * The service layer fills one in; the JSON and query codecs turn it into wire shapes. */
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
    SQS_ERR_INTERNAL,
    SQS_ERR__COUNT
} sqs_err_kind;

/* Static description of one error kind. */
typedef struct sqs_err_info {
    const char *json_type;   /* full JSON __type, e.g. "com.amazonaws.sqs#QueueDoesNotExist" */
    const char *query_code;  /* query <Code> and x-amzn-query-error code; NULL = no header */
    int http_status;
    bool sender;             /* fault: Sender (client) or Receiver (server) */
} sqs_err_info;

#define SQS_ERR_MSG_MAX 1024

typedef struct sqs_error {
    sqs_err_kind kind;
    char message[SQS_ERR_MSG_MAX];
    /* Message to use on the query protocol when it differs from the JSON one ("" = same). */
    char query_message[128];
} sqs_error;

const sqs_err_info *sqs_err_info_of(sqs_err_kind kind);

/* Sets kind and a printf-formatted message; returns false so callers can `return sqs_fail(...)`. */
bool sqs_fail(sqs_error *err, sqs_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Common shapes. */
bool sqs_fail_queue_missing(sqs_error *err);
bool sqs_fail_missing_param(sqs_error *err, const char *param);

#endif
