/* lambda/service: start-up and shutdown of the Lambda half (stored functions and
 * mappings, the executor, the pollers) and its settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "code_dirs.h"
#include "lambda_internal.h"
#include "sqsemu/buf.h"
#include "sqsemu/log.h"

static lambda_settings settings;
static char *temp_data_dir;

const lambda_settings *lambda_config(void)
{
    return &settings;
}

bool lambda_service_start(const lambda_settings *s)
{
    settings = *s;
    if (!settings.data_dir) {
        char template[] = "/tmp/sqsemu-lambda-XXXXXX";
        if (!mkdtemp(template)) {
            log_error("cannot create a temporary directory for function code");
            return false;
        }
        temp_data_dir = xstrdup(template);
        settings.data_dir = temp_data_dir;
    }
    if (!code_dirs_start(settings.data_dir) || !executor_start() || !functions_load() || !mappings_load()) {
        log_error("could not load the Lambda functions and mappings from the store");
        return false;
    }
    return true;
}

void lambda_service_stop(void)
{
    executor_stop(); /* finishes in-flight invocations first: their callbacks use what follows */
    async_invoke_stop();
    mappings_free_all();
    functions_free_all();
    code_dirs_stop();
    if (temp_data_dir) {
        code_remove_dir(temp_data_dir);
        free(temp_data_dir);
        temp_data_dir = NULL;
    }
}
