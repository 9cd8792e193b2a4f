/* http/commit_group.h: private to http/: the group commit of the API port (see
 * commit_group.c for how a group lives). */
#ifndef SQSEMU_HTTP_COMMIT_GROUP_H
#define SQSEMU_HTTP_COMMIT_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

void commit_group_bind(mhd_binding *mhd);
/* Before a front handles a complete request: opens the group's transaction if none is open. */
void commit_group_enter(void);
/* After the front answered r: while a group is open, suspends r until the group commits
 * and returns true; false when r can be answered now. */
bool commit_group_hold(http_request *r);
/* Commits the open group (if any) and resumes its requests, answered or, when the commit
 * failed, refused with a store failure. */
void commit_group_close(void);
/* mhd_glue's after_run hook: closes the group of that run. */
void commit_group_after_run(void *arg);

#endif
