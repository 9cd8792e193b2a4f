/* lambda: the Lambda half of sqsemu: functions run as local processes, event-source
 * mappings and their SQS poller. The REST API is served by protocol/lambda_rest. */
#ifndef SQSEMU_LAMBDA_H
#define SQSEMU_LAMBDA_H

#include <stdbool.h>

typedef struct lambda_settings {
    const char *data_dir;     /* where function code is unpacked; NULL = a temporary directory */
    const char *runtimes_dir; /* directory of the shipped runtime clients (runtimes/) */
    const char *endpoint_url; /* http://127.0.0.1:<port>: AWS_ENDPOINT_URL of handlers */
    int idle_timeout_s;       /* idle execution environments are stopped after this */
    int default_concurrency;  /* mapping concurrency when ScalingConfig is unset */
} lambda_settings;

bool lambda_service_start(const lambda_settings *settings);
void lambda_service_stop(void);

#endif
