/* lambda/function_code.h: installing a function's code (function_code.c). */
#ifndef SQSEMU_LAMBDA_FUNCTION_CODE_H
#define SQSEMU_LAMBDA_FUNCTION_CODE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "function.h"

/* Installs the code given in `code` (a Code member, or UpdateFunctionCode's input) into
 * f->record. The previous code stays on disk: the caller releases it once the change is
 * committed. */
bool function_install_code(lambda_function *f, const cJSON *code, lambda_error *err);
/* Unpacks zip[0..len) into a fresh code directory of f (a published version's copy too). */
bool function_install_zip(lambda_function *f, const unsigned char *zip, size_t len, lambda_error *err);

#endif
