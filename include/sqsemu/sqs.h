/* sqs: the SQS service: queue records, the call context and the action dispatcher.
 * The service knows nothing of HTTP or XML: it takes a neutral request (cJSON object with
 * the JSON protocol's member names) and returns a neutral result or an sqs_error. */
#ifndef SQSEMU_SQS_H
#define SQSEMU_SQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs_error.h"
#include "sqsemu/timers.h"

struct waiter;

/* Message counts of a queue since start-up (the metrics). A count is taken when its action
 * succeeds, before the commit; a commit failure, which the client sees as an error, can
 * leave it one too high. */
typedef struct sqs_queue_stats {
    uint64_t sent;         /* stored by SendMessage(Batch) (a FIFO duplicate is not) */
    uint64_t received;     /* deliveries by ReceiveMessage (a message received twice counts twice) */
    uint64_t deleted;      /* DeleteMessage(Batch) of a message that was still there */
    uint64_t moved_to_dlq; /* moved to the dead-letter queue by the redrive policy */
} sqs_queue_stats;

/* A queue as kept in memory (rebuilt from the store at start-up). */
typedef struct sqs_queue {
    int64_t id;
    char *account;
    char *region;
    char *name;
    char *arn;
    bool fifo;
    int64_t created_s;
    int64_t modified_s;
    cJSON *attributes; /* explicitly set read-write attributes, normalised string values */
    cJSON *tags;
    /* Effective values derived from attributes (defaults filled in). */
    int delay_s;
    int max_message_size;
    int retention_s;
    int receive_wait_s;
    int visibility_s;
    char *dead_letter_arn;   /* from RedrivePolicy; NULL when none */
    int max_receive_count;
    /* Long-poll waiters and the timer that wakes them when a message becomes visible. */
    struct waiter *waiters_head;
    struct waiter *waiters_tail;
    sq_timer visible_timer;
    int64_t last_purge_ms;
    int64_t last_sequence; /* FIFO: highest sequence number issued */
    sqs_queue_stats stats;
} sqs_queue;

/* Who is calling and how to address them. Strings are owned by the caller. */
typedef struct sqs_ctx {
    const char *account;      /* caller's account id */
    const char *region;       /* region of the request (SigV4 scope or default) */
    const char *url_base;     /* "http://host:port" used to build queue URLs */
    const char *sender_id;    /* SenderId recorded on sent messages */
    const char *trace_header; /* X-Amzn-Trace-Id of the request, or NULL */
    int64_t now_ms;
    /* Long polling: a ReceiveMessage that finds nothing and may wait returns SQS_PENDING
     * with wait_queue and poll_deadline_ms set. The caller re-runs the same call when woken,
     * keeping poll_deadline_ms; when now_ms >= poll_deadline_ms the call answers at once. */
    int64_t poll_deadline_ms;
    sqs_queue *wait_queue;
    /* What an action prepared from the request on its first run (ReceiveMessage: its
     * attribute selection), kept while the call is pending and released by the service
     * when the call answers, or by sqs_ctx_release() when a pending call is abandoned. */
    void *prepared;
    void (*prepared_free)(void *prepared);
} sqs_ctx;

/* Frees what a pending call kept in ctx (safe to call more than once). */
void sqs_ctx_release(sqs_ctx *ctx);

typedef enum sqs_status { SQS_STATUS_OK, SQS_STATUS_ERROR, SQS_STATUS_PENDING } sqs_status;

/* Global service settings. */
typedef struct sqs_settings {
    bool strict; /* AWS's 60-second PurgeQueue and queue re-creation rules */
} sqs_settings;

bool sqs_service_start(const sqs_settings *settings);
void sqs_service_stop(void);

/* Runs one action. On SQS_STATUS_OK *output is a new cJSON object owned by the caller. */
sqs_status sqs_service_call(sqs_ctx *ctx, const char *action, const cJSON *input, cJSON **output, sqs_error *err);

/* sqsemu's own operations on queues (the admin API), with the same call rules as
 * sqs_service_call but not reachable through the SQS protocols:
 *   "Reset"         {QueueUrl | QueueName}: removes that queue with its messages and move
 *                   tasks; {}: removes every queue of every account and region.
 *   "PeekMessages"  {QueueUrl | QueueName, Limit (1..1000, default 100), NextToken}: the
 *                   queue's messages in the order they were stored, without changing
 *                   anything; each with its State (visible, in_flight, delayed) and when
 *                   that next changes.
 *   "DeleteMessage" {QueueUrl | QueueName, MessageId}: deletes one visible message without
 *                   receiving it (the console's delete button). */
sqs_status sqs_admin_call(sqs_ctx *ctx, const char *operation, const cJSON *input, cJSON **output, sqs_error *err);

/* A queue's numbers for the metrics: messages by state now, and the counts since start-up. */
typedef struct sqs_queue_metrics {
    const char *account;
    const char *region;
    const char *name;
    const char *arn;
    const char *dead_letter_arn; /* from the RedrivePolicy; NULL when none */
    int max_receive_count;
    bool fifo;
    int64_t visible;
    int64_t in_flight;
    int64_t delayed;
    sqs_queue_stats stats;
} sqs_queue_metrics;

void sqs_metrics_each(int64_t now_ms, void (*fn)(const sqs_queue_metrics *m, void *arg), void *arg);

/* What the Lambda poller needs to know about a queue, by ARN. */
typedef struct sqs_queue_info {
    bool exists;
    bool fifo;
    int visibility_timeout_s;
    char url_path[512]; /* "/<account>/<name>": a QueueUrl that resolves in the queue's region */
} sqs_queue_info;

sqs_queue_info sqs_queue_lookup(const char *arn);
/* The queue's long-poll waiter list, for in-process consumers (NULL when it does not exist). */
sqs_queue *sqs_queue_by_arn(const char *arn);

/* How many queues there are. */
size_t sqs_queue_count(void);

/* True for actions that must be addressed to the service endpoint, not a queue URL. */
bool sqs_action_is_endpoint_only(const char *action);

#endif
