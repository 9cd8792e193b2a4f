/* lambda/poller.h: the poller that runs an enabled event-source mapping (poller.c). */
#ifndef SQSEMU_LAMBDA_POLLER_H
#define SQSEMU_LAMBDA_POLLER_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "executor.h"
#include "mapping.h"

void poller_sync(mapping *m); /* start, stop or re-read the mapping's poller */
void poller_drop(mapping *m); /* the mapping is being deleted */
void pollers_stop_all(void);
/* f may run another invocation: the pollers of its mappings try to dispatch again. */
void pollers_wake_function(const lambda_function *f);
/* A handler's ReportBatchItemFailures response: *failed_ids gets a new array of the
 * messageIds of records to keep; false when the response fails the whole batch. */
bool poller_parse_item_failures(const invoke_outcome *outcome, const cJSON *records, cJSON **failed_ids);

#endif
