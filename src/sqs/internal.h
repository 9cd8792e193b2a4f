/* sqs/internal.h: what the SQS service modules share: request member access, queue
 * resolution, transactions, and the action handlers the dispatcher calls. */
#ifndef SQSEMU_SQS_INTERNAL_H
#define SQSEMU_SQS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs.h"

/* A handler fills out (an empty object) and returns true, or fills err and returns false.
 * ReceiveMessage may instead set ctx->wait_queue to ask to be re-run later. */
typedef bool (*sqs_action_fn)(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err);

/* Member access on the neutral request (null members count as absent). */
const char *req_string(const cJSON *in, const char *name);
const cJSON *req_member(const cJSON *in, const char *name);
/* Reads an optional integer member; false (with InvalidParameterValue) if not an integer. */
bool req_int(const cJSON *in, const char *name, int64_t *out, bool *present, sqs_error *err);

/* Resolves the queue named by the required QueueUrl member. */
sqs_queue *require_queue(const sqs_ctx *ctx, const cJSON *in, sqs_error *err);
bool require_string(const cJSON *in, const char *name, const char **out, sqs_error *err);

bool internal_error(sqs_error *err);
const sqs_settings *sqs_settings_get(void);
/* Once the call's transaction commits: wake the long polls of q (something is receivable
 * now) and/or re-arm q's timer (something becomes receivable later). */
void after_commit_announce(sqs_queue *q, bool now, bool later);

/* Batch entry ids: 1..80 of [A-Za-z0-9_-]. */
bool batch_id_valid(const char *id);
/* Checks the batch-level rules shared by the three batch actions. */
bool batch_check_entries(const cJSON *entries, const char *entry_name, sqs_error *err);
/* Appends a Failed entry built from an error. */
void batch_add_failure(cJSON *failed, const char *id, const sqs_error *err);

/* queues.c */
void queues_forget_deleted(void); /* --strict: the recently deleted names, at shutdown */
/* Applies normalized attributes to q and stores them, for the call's transaction: a
 * rollback puts the previous attributes and LastModifiedTimestamp back. */
bool queue_change_attributes(sqs_queue *q, const cJSON *normalized, int64_t now_s, sqs_error *err);
/* Deletes q with its messages and move tasks; it leaves memory when the call commits
 * (remember_name: --strict's 60-second re-creation rule applies). */
bool queue_remove(const sqs_ctx *ctx, sqs_queue *q, bool remember_name, sqs_error *err);
bool action_create_queue(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_delete_queue(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_get_queue_url(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_list_queues(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_get_queue_attributes(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_set_queue_attributes(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_purge_queue(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_tag_queue(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_untag_queue(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_list_queue_tags(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_list_dead_letter_source_queues(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
/* permissions.c */
bool action_add_permission(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_remove_permission(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
/* messages.c */
bool action_send_message(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_send_message_batch(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
/* receive.c */
bool action_receive_message(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
/* move_tasks.c */
bool action_start_message_move_task(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_list_message_move_tasks(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_cancel_message_move_task(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
/* admin.c: sqsemu's own operations (sqs_admin_call) */
bool action_admin_reset(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_admin_peek(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_admin_delete_message(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
/* visibility.c */
bool action_delete_message(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_delete_message_batch(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_change_message_visibility(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);
bool action_change_message_visibility_batch(sqs_ctx *, const cJSON *, cJSON *, sqs_error *);

#endif
