/* lambda/tags.h: ListTags, TagResource and UntagResource on function and mapping ARNs (tags.c). */
#ifndef SQSEMU_LAMBDA_TAGS_H
#define SQSEMU_LAMBDA_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

bool tags_list(const lambda_ctx *ctx, const char *arn, cJSON *out, lambda_error *err);
bool tags_add(const lambda_ctx *ctx, const char *arn, const cJSON *in, lambda_error *err);
bool tags_remove(const lambda_ctx *ctx, const char *arn, const char *const *keys, size_t count, lambda_error *err);
/* Checks tags a request gives (a map of strings) against AWS's limits, counting the tags
 * the resource already has (existing may be NULL). */
bool tags_check(const cJSON *given, const cJSON *existing, lambda_error *err);

#endif
