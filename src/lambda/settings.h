/* lambda/settings.h: the Lambda service's settings, as given to lambda_service_start (service.c). */
#ifndef SQSEMU_LAMBDA_SETTINGS_H
#define SQSEMU_LAMBDA_SETTINGS_H

#include "sqsemu/lambda.h"

const lambda_settings *lambda_config(void);

#endif
