/* fuzz_common: what the libFuzzer targets share: an invariant check that aborts (so that
 * libFuzzer records the input as a crash), the 23 SQS action names, and a comparison of
 * cJSON trees. */
#ifndef SQSEMU_FUZZ_COMMON_H
#define SQSEMU_FUZZ_COMMON_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

/* cJSON prints a double with 15 significant digits whenever that reads back within an
 * epsilon, so the last bit of a long number may change on the way through text. */
static inline bool fuzz_same_number(double a, double b)
{
    double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return a == b || fabs(a - b) <= scale * 4 * DBL_EPSILON;
}

/* Equal trees, children compared in order (cJSON_Compare looks object members up by name,
 * which goes wrong for duplicate member names: a body may repeat a member). */
static inline bool fuzz_same_tree(const cJSON *a, const cJSON *b)
{
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if ((a->string == NULL) != (b->string == NULL) || (a->string && strcmp(a->string, b->string) != 0))
        return false;
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsNumber(a))
        return fuzz_same_number(a->valuedouble, b->valuedouble);
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next) {
        if (!fuzz_same_tree(x, y))
            return false;
    }
    return x == NULL && y == NULL;
}

#endif
