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

#endif
