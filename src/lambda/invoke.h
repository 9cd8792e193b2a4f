/* lambda/invoke.h: the Invoke operation (invoke.c) and Event invocations with their
 * retries and dead-letter queue (async_invoke.c). */
#ifndef SQSEMU_LAMBDA_INVOKE_H
#define SQSEMU_LAMBDA_INVOKE_H

#include "executor.h"
#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

lambda_status invoke_call(const lambda_ctx *ctx, const lambda_call *call, lambda_result *result, lambda_error *err,
                          lambda_done_fn done, void *arg);

/* Queues an Event invocation; its request id is written to request_id. */
void async_invoke(lambda_function *f, const invoke_request *req, char request_id[37]);
void async_invoke_stop(void);
/* f may run another invocation: its Event invocations held back by reserved concurrency try again. */
void async_invoke_wake(const lambda_function *f);
/* Drops the pending Event invocations of a function (function_name NULL: of every function). */
void async_invoke_forget(const char *account, const char *region, const char *function_name);

#endif
