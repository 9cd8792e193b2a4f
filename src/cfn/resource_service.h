/* cfn/resource_service.h: the providers' in-process calls of the SQS and Lambda services
 * (sqs_service_call, lambda_service_call), in the stack's account and region; a refusal
 * becomes the resource's failure reason in CloudFormation's words. */
#ifndef SQSEMU_CFN_RESOURCE_SERVICE_H
#define SQSEMU_CFN_RESOURCE_SERVICE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "provider.h"
#include "sqsemu/lambda.h"

/* Runs an SQS action; *output (when not NULL) gets the result, owned by the caller.
 * missing_ok: a queue that does not exist is success, with *output NULL. */
bool resource_sqs(const cfn_resource *r, const char *action, const cJSON *input, cJSON **output, bool missing_ok,
                  cfn_error *err);

/* Runs a Lambda operation (call->op, name, qualifier, body...); *output as above.
 * missing_ok: ResourceNotFoundException is success, with *output NULL. */
bool resource_lambda(const cfn_resource *r, const lambda_call *call, cJSON **output, bool missing_ok, cfn_error *err);

/* Brings a Lambda resource's tags (arn) from the Tags of old_props to those of props:
 * UntagResource for the keys gone, TagResource when anything else changed. */
bool resource_lambda_retag(const cfn_resource *r, const char *arn, const cJSON *old_props, const cJSON *props,
                           cfn_error *err);

/* The queue URL of an ARN of this emulator ("arn:aws:sqs:<region>:<account>:<name>"), or NULL. */
char *resource_queue_url_of_arn(const cfn_resource *r, const char *arn);

#endif
