/* cfn_wire_errors: how each CloudFormation error kind looks on the wire: its HTTP status
 * and whether the fault is the sender's (Type Sender) or the service's (Type Receiver). */
#ifndef SQSEMU_CFN_WIRE_ERRORS_H
#define SQSEMU_CFN_WIRE_ERRORS_H

#include <stdbool.h>

#include "sqsemu/cfn.h"

int cfn_wire_status(cfn_err_kind kind);
bool cfn_wire_sender_fault(cfn_err_kind kind);

#endif
