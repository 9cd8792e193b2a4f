/* lambda/function_validate.h: checks of a function's configuration members (function_validate.c). */
#ifndef SQSEMU_LAMBDA_FUNCTION_VALIDATE_H
#define SQSEMU_LAMBDA_FUNCTION_VALIDATE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda_error.h"

/* The members CreateFunction and UpdateFunctionConfiguration share. */
bool function_check_configuration(const cJSON *in, lambda_error *err);
bool function_check_architectures(const cJSON *archs, lambda_error *err);
/* Fills Lambda's "1 validation error detected" ValidationException; returns false. */
bool function_validation_error(lambda_error *err, const char *value, const char *member, const char *constraint);
/* A list operation's ?MaxItems: 1..10000 as the model allows (absent: page_max), served in
 * pages of at most page_max. False with the ValidationException otherwise. */
bool function_page_size(const char *max_items, long page_max, long *page, lambda_error *err);

#endif
