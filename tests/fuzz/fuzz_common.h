/* fuzz_common: what the libFuzzer targets share: an invariant check that aborts (so that
 * libFuzzer records the input as a crash) and the 23 SQS action names. */
#ifndef SQSEMU_FUZZ_COMMON_H
#define SQSEMU_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

/* Aborts with a message when an invariant does not hold. */
#define FUZZ_CHECK(cond, ...)                                                                  \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "\nINVARIANT VIOLATED at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static const char *const fuzz_sqs_actions[] = {
    "AddPermission",        "CancelMessageMoveTask", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    "CreateQueue",          "DeleteMessage",         "DeleteMessageBatch",      "DeleteQueue",
    "GetQueueAttributes",   "GetQueueUrl",           "ListDeadLetterSourceQueues", "ListMessageMoveTasks",
    "ListQueueTags",        "ListQueues",            "PurgeQueue",              "ReceiveMessage",
    "RemovePermission",     "SendMessage",           "SendMessageBatch",        "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue",              "UntagQueue",
};
#define FUZZ_SQS_ACTION_COUNT (sizeof fuzz_sqs_actions / sizeof fuzz_sqs_actions[0])

/* A NUL-terminated malloc'd copy of data[0..size). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
