/* admin: sqsemu's own API under /_sqsemu/ (the admin front serves it): health, the test
 * clock, reset, a read-only look at a queue's messages, the invocation history and the
 * metrics. Each operation composes the services in-process; none is part of AWS. */
#ifndef SQSEMU_ADMIN_H
#define SQSEMU_ADMIN_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct admin_error {
    int status;        /* HTTP status: 400, 404, 500 */
    char code[96];     /* e.g. InvalidParameterValue, QueueDoesNotExist */
    char message[2048];
} admin_error;

/* Who asks: queues and functions named without an ARN or URL are looked up here. */
typedef struct admin_caller {
    const char *account;
    const char *region;
    const char *url_base; /* "http://host:port", for queue URLs */
} admin_caller;

/* Every operation returns a new JSON document, or NULL with err filled. */
cJSON *admin_health(void);
cJSON *admin_localstack_health(void); /* LocalStack's /_localstack/health shape */
cJSON *admin_clock(void);
/* {"advance_ms": N} (N >= 0), {"set_ms": T} (not before now), {"freeze": bool}; freeze may
 * be combined with one of the others. The clock only moves forward. */
cJSON *admin_clock_change(const cJSON *body, admin_error *err);
/* queue (a name or URL) and function (a name or ARN) may be NULL; both NULL: everything. */
cJSON *admin_reset(const admin_caller *c, const char *queue, const char *function, admin_error *err);
/* queue: a URL or a name; limit and next_token as given in the query string (may be NULL). */
cJSON *admin_messages(const admin_caller *c, const char *queue, const char *limit, const char *next_token,
                      admin_error *err);
cJSON *admin_invocations(const admin_caller *c, const char *function, const char *limit, admin_error *err);
/* The console's listings (console_data.c): every queue of every account and region with
 * its counts, dead-letter queue and redrive sources; every function with its runtime,
 * state and execution environments. */
cJSON *admin_queues(const admin_caller *c);
cJSON *admin_functions(const admin_caller *c);
/* POST /_sqsemu/messages/delete: one visible message of a queue (a name or URL), by id. */
cJSON *admin_delete_message(const admin_caller *c, const char *queue, const char *message_id, admin_error *err);
/* The Prometheus text exposition of every metric (malloc'd). */
char *admin_metrics(size_t *len);

#endif
