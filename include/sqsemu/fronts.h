/* fronts: the services of the API port. main.c lists them in the order the HTTP server
 * tries them: Lambda (which also serves its code downloads under /_sqsemu/lambda/), the
 * admin routes, CloudWatch Logs (the X-Amz-Target Logs_20140328.*), CloudFormation (signed
 * for "cloudformation"), then SQS, which takes whatever the others did not. Each front glues a codec (protocol/) to its service. */
#ifndef SQSEMU_FRONTS_H
#define SQSEMU_FRONTS_H

#include "sqsemu/http.h"

extern const http_front admin_front;  /* /_sqsemu/...: health, and sqsemu's own routes */
extern const http_front lambda_front; /* the Lambda REST API (/2015-03-31/..., /2017-03-31/tags/...) */
extern const http_front logs_front;   /* CloudWatch Logs, AWS JSON 1.1: reading what handlers printed */
extern const http_front cfn_front;    /* CloudFormation, query protocol: signed for "cloudformation" */
extern const http_front sqs_front;    /* SQS, AWS JSON 1.0 and query: everything else */

/* An unsigned request names no service before its body is read, so the SQS front takes it;
 * it hands it to cfn_front.handle when this is true (unsigned, and action is one of
 * CloudFormation's emulated actions). */
bool cfn_front_takes_unsigned(const http_request *r, const char *action);

#endif
