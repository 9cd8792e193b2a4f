/* lambda_wire_errors: how each Lambda error kind looks in the REST API: its HTTP status and
 * whether its JSON body spells the text member "Message" rather than "message". */
#ifndef SQSEMU_LAMBDA_WIRE_ERRORS_H
#define SQSEMU_LAMBDA_WIRE_ERRORS_H

#include <stdbool.h>

#include "sqsemu/lambda_error.h"

int lambda_wire_status(lambda_err_kind kind);
bool lambda_wire_capital_message(lambda_err_kind kind);

#endif
