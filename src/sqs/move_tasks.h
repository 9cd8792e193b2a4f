/* sqs/move_tasks: loading and releasing the message move tasks kept in the store. */
#ifndef SQSEMU_SQS_MOVE_TASKS_H
#define SQSEMU_SQS_MOVE_TASKS_H

#include <stdbool.h>

bool move_tasks_load(void);
void move_tasks_free(void);
/* Drops the tasks of a deleted source queue (the store rows go with the queue). */
void move_tasks_forget_source(const char *source_arn);

#endif
