/* store: the SQLite store (the source of truth). One connection, WAL mode, every statement
 * prepared once at open. Each API action runs inside one store_begin()/store_commit(). */
#ifndef SQSEMU_STORE_H
#define SQSEMU_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Creates the data directory (0700) if needed and takes its exclusive lock (a second
 * process on the same directory is refused with a message saying so). Returns the path of
 * the database file (malloc'd), or NULL after logging why. */
char *store_prepare_data_dir(const char *dir);
void store_release_data_dir(void);

/* Opens (creating if needed) the database at path, or an in-memory one when path is NULL. */
bool store_open(const char *path);
void store_close(void);
/* --durability full: every commit is synced to the disk (PRAGMA synchronous = FULL), so
 * that it also survives a power loss or an OS crash; the default (NORMAL in WAL mode)
 * survives any crash of the process. */
bool store_set_durability_full(void);

bool store_begin(void);
bool store_commit(void);
void store_rollback(void);
/* SAVEPOINT, RELEASE or ROLLBACK TO the savepoint of nesting level (2 to 16), with
 * statements prepared on first use. */
typedef enum store_savepoint_op { SAVEPOINT_OPEN, SAVEPOINT_RELEASE, SAVEPOINT_ROLLBACK } store_savepoint_op;
bool store_savepoint(store_savepoint_op op, int level);

/* ---- queues ---- */

typedef struct stored_queue {
    int64_t id;
    const char *account;
    const char *region;
    const char *name;
    bool fifo;
    int64_t created_s;
    int64_t modified_s;
    const char *attributes; /* JSON object of explicitly set attributes */
    const char *tags;       /* JSON object */
} stored_queue;

/* Inserts q (q->id is ignored) and returns the new id, or -1 on failure. */
int64_t store_queue_insert(const stored_queue *q);
bool store_queue_update_attributes(int64_t id, const char *attributes_json, int64_t modified_s);
bool store_queue_update_tags(int64_t id, const char *tags_json);
/* Deletes the queue and all of its messages. */
bool store_queue_delete(int64_t id);
/* Calls fn for every stored queue (the strings are valid only during the call). */
bool store_queue_each(void (*fn)(const stored_queue *q, void *arg), void *arg);

/* ---- messages ---- */

typedef struct stored_message {
    int64_t rowid;
    int64_t queue_id;
    const char *message_id;
    const char *body;
    size_t body_len;
    const char *md5_body;
    const char *attributes;     /* JSON object of message attributes, NULL when none */
    const char *md5_attributes; /* NULL when none */
    const char *trace_header;   /* NULL when none */
    const char *group_id;       /* NULL when none */
    const char *sender_id;
    int64_t sent_ms;
    int64_t visible_ms;
    int64_t receive_count;
    int64_t first_receive_ms;   /* 0 until the first receive */
    int64_t secret;
    const char *dlq_source_arn; /* NULL unless redriven into a DLQ */
    const char *dedup_id;       /* FIFO: the deduplication id; NULL otherwise */
    int64_t sequence;           /* FIFO: sequence number; 0 otherwise */
} stored_message;

/* Calls fn for up to limit messages of queue_id stored after rowid `after` and sent at or
 * after min_sent_ms, in the order they were stored, whatever their visibility (a
 * read-only listing). fn returns false to stop early. */
bool store_message_each_stored(int64_t queue_id, int64_t after, int64_t min_sent_ms, int limit,
                               bool (*fn)(const stored_message *m, void *arg), void *arg);

/* Inserts m (m->rowid ignored); returns the new rowid or -1. */
int64_t store_message_insert(const stored_message *m);

/* Calls fn for up to limit messages of queue_id visible at now_ms, oldest visibility first,
 * skipping the rowids in skip[0..skip_count). Strings are valid only during the call.
 * fn returns false to stop early. */
bool store_message_each_visible(int64_t queue_id, int64_t now_ms, int limit, const int64_t *skip,
                                size_t skip_count, bool (*fn)(const stored_message *m, void *arg), void *arg);

/* FIFO: like store_message_each_visible, but only messages whose group has no earlier
 * invisible message, in sequence order. */
bool store_message_each_fifo_receivable(int64_t queue_id, int64_t now_ms, int limit,
                                        bool (*fn)(const stored_message *m, void *arg), void *arg);

/* Records a delivery: receive_count+1, first receive time if unset, new visibility deadline. */
bool store_message_mark_received(int64_t rowid, int64_t now_ms, int64_t visible_ms);
/* Moves a message into another queue (dead-letter redrive), visible at visible_ms. */
bool store_message_move(int64_t rowid, int64_t to_queue_id, const char *dlq_source_arn, int64_t visible_ms);
/* FIFO redrive: as above, with a new sequence number, the enqueue time reset to now_ms and
 * the deduplication id replaced by the message id. */
bool store_message_move_fifo(int64_t rowid, int64_t to_queue_id, const char *dlq_source_arn, int64_t now_ms,
                             int64_t sequence);

typedef struct message_ref {
    bool found;
    int64_t queue_id;
    int64_t secret;
    int64_t receive_count;
    int64_t visible_ms;
} message_ref;

bool store_message_lookup(int64_t rowid, message_ref *out);
bool store_message_delete(int64_t rowid);
bool store_message_set_visible(int64_t rowid, int64_t visible_ms);
/* Deletes every message of the queue; returns the count in *deleted (may be NULL). */
bool store_messages_purge(int64_t queue_id, int64_t *deleted);
/* Deletes messages sent before cutoff_ms (retention). */
bool store_messages_expire(int64_t queue_id, int64_t cutoff_ms);

typedef struct message_counts {
    int64_t visible;
    int64_t in_flight;
    int64_t delayed;
} message_counts;

/* Counts queue_id's messages by state at now_ms, of those sent at or after min_sent_ms
 * (older ones are past the retention period). */
bool store_messages_count(int64_t queue_id, int64_t now_ms, int64_t min_sent_ms, message_counts *out);
/* Earliest visibility time after now_ms of any message in the queue; -1 when none. */
int64_t store_messages_next_visible(int64_t queue_id, int64_t now_ms);

/* ---- FIFO bookkeeping ---- */

/* Highest sequence number ever issued in the queue (0 when none). */
int64_t store_queue_max_sequence(int64_t queue_id);

/* Looks a live deduplication key up; copies the original message id (37 bytes). */
bool store_dedup_find(int64_t queue_id, const char *key, int64_t now_ms, bool *found, char message_id[37],
                      int64_t *sequence);
bool store_dedup_put(int64_t queue_id, const char *key, const char *message_id, int64_t sequence, int64_t expires_ms);
bool store_dedup_prune(int64_t queue_id, int64_t now_ms);
/* Forgets every deduplication record of the queue (PurgeQueue on a FIFO queue). */
bool store_dedup_clear(int64_t queue_id);

/* ReceiveRequestAttemptId: the remembered response (malloc'd JSON) or NULL. */
char *store_attempt_find(int64_t queue_id, const char *attempt_id, int64_t now_ms);
bool store_attempt_put(int64_t queue_id, const char *attempt_id, const char *response_json, int64_t expires_ms);
bool store_attempt_prune(int64_t queue_id, int64_t now_ms);

/* ---- message move tasks ---- */

/* Copies a message into another queue as a new message (new id, enqueue time now_ms,
 * receive count 0), then deletes the original. sequence > 0 for a FIFO destination
 * (the new id then also becomes its deduplication id). */
bool store_message_redrive(int64_t rowid, int64_t to_queue_id, const char *new_message_id, int64_t now_ms,
                           int64_t visible_ms, int64_t secret, int64_t sequence);
bool store_task_put(const char *task_id, const char *source_arn, const char *record);
/* Keeps only the 10 most recent tasks of a source. */
bool store_task_trim(const char *source_arn);
bool store_task_delete_source(const char *source_arn);
bool store_task_each(void (*fn)(const char *task_id, const char *record, void *arg), void *arg);

/* ---- Lambda: functions and event-source mappings, each kept as one JSON record ---- */

int64_t store_function_insert(const char *account, const char *region, const char *name, const char *record);
bool store_function_update(int64_t id, const char *record);
bool store_function_delete(int64_t id);
bool store_function_each(void (*fn)(int64_t id, const char *account, const char *region, const char *name,
                                    const char *record, void *arg),
                         void *arg);
bool store_mapping_put(const char *uuid, const char *record);
bool store_mapping_delete(const char *uuid);
bool store_mapping_each(void (*fn)(const char *uuid, const char *record, void *arg), void *arg);
/* Published versions and aliases of a function (version_store.c); deleting the function
 * deletes its rows. */
bool store_version_insert(int64_t function_id, int64_t version, const char *record);
bool store_version_delete(int64_t function_id, int64_t version);
bool store_version_each(void (*fn)(int64_t function_id, int64_t version, const char *record, void *arg), void *arg);
bool store_alias_put(int64_t function_id, const char *name, const char *record);
bool store_alias_delete(int64_t function_id, const char *name);
bool store_alias_each(void (*fn)(int64_t function_id, const char *name, const char *record, void *arg), void *arg);

/* Directories of function code that sqsemu created: only these may ever be removed. */
bool store_code_dir_add(const char *path);
bool store_code_dir_remove(const char *path);
bool store_code_dir_registered(const char *path);
bool store_code_dir_each(void (*fn)(const char *path, void *arg), void *arg);

/* ---- server-wide values (meta table) ---- */

/* Copies the value of key when it is stored with exactly size bytes (*found says so). */
bool store_meta_get(const char *key, void *value, size_t size, bool *found);
bool store_meta_put(const char *key, const void *value, size_t size);

/* ---- CloudWatch Logs: groups, streams and their events (log_store.c) ----
 * A group is named within an account and region; a stream within its group. Events are
 * ordered by (timestamp_ms, id) everywhere; id grows with every insert. Each group keeps
 * its event count and message bytes: whoever inserts events adds them with
 * store_log_group_counted (once per batch); the deletes here keep them themselves. Strings
 * handed to a callback are valid only during the call; a callback returns false to stop. */

typedef struct stored_log_group {
    int64_t id;
    const char *name;
    int64_t created_ms;
    int64_t event_count;
    int64_t stored_bytes;
} stored_log_group;

typedef struct stored_log_stream {
    int64_t id;
    const char *name;
    int64_t created_ms;
    int64_t first_event_ms;
    int64_t last_event_ms;
    int64_t last_ingestion_ms;
} stored_log_stream;

typedef struct stored_log_event {
    int64_t id;
    int64_t timestamp_ms;
    int64_t ingestion_ms;
    const char *message;
    size_t message_len;
    int64_t stream_id;       /* group reads only */
    const char *stream_name; /* group reads only */
} stored_log_event;

/* A place in the (timestamp_ms, id) order. */
typedef struct log_position {
    int64_t timestamp_ms;
    int64_t id;
} log_position;

/* The group's id, creating the group (at now_ms) when it is new; -1 on failure. */
int64_t store_log_group_ensure(const char *account, const char *region, const char *name, int64_t now_ms);
/* The stream's id, creating it when new; its first/last event times widen to [first_ms,
 * last_ms] and its last ingestion becomes now_ms. -1 on failure. */
int64_t store_log_stream_ensure(int64_t group_id, const char *name, int64_t now_ms, int64_t first_ms,
                                int64_t last_ms);
bool store_log_event_insert(int64_t group_id, int64_t stream_id, int64_t timestamp_ms, int64_t ingestion_ms,
                            const char *message, size_t len);
/* Adds inserted events and their message bytes to the group's counters. */
bool store_log_group_counted(int64_t group_id, int64_t events, int64_t bytes);
/* *id = the group's (or stream's) id, 0 when there is none. */
bool store_log_group_find(const char *account, const char *region, const char *name, int64_t *id);
bool store_log_stream_find(int64_t group_id, const char *name, int64_t *id);

/* The account's groups in the region, by name, those after `after` ("" = from the first). */
bool store_log_groups_each(const char *account, const char *region, const char *after,
                           bool (*fn)(const stored_log_group *g, void *arg), void *arg);

typedef enum log_stream_order { LOG_STREAMS_BY_NAME, LOG_STREAMS_BY_LAST_EVENT } log_stream_order;
/* A group's streams in order (descending when asked), strictly after the cursor: a name
 * (NULL = from the start) for LOG_STREAMS_BY_NAME, a (last event time, id) position
 * (NULL = from the start) for LOG_STREAMS_BY_LAST_EVENT. */
bool store_log_streams_each(int64_t group_id, log_stream_order order, bool descending, const char *after_name,
                            const log_position *after, bool (*fn)(const stored_log_stream *s, void *arg), void *arg);

/* A stream's events with timestamp in [from_ms, to_ms], forward (after `from`) or backward
 * (before `from`, newest first), at most limit of them. */
bool store_log_stream_events(int64_t stream_id, bool forward, const log_position *from, int64_t from_ms,
                             int64_t to_ms, int64_t limit, bool (*fn)(const stored_log_event *e, void *arg),
                             void *arg);
/* A group's events (every stream) after `from` with timestamp in [from_ms, to_ms], in order,
 * at most limit rows read. */
bool store_log_group_events(int64_t group_id, const log_position *from, int64_t from_ms, int64_t to_ms,
                            int64_t limit, bool (*fn)(const stored_log_event *e, void *arg), void *arg);

/* Drops the group's oldest events until it holds at most max_events and max_bytes, and
 * then its streams left without events; *dropped (may be NULL) counts the events. */
bool store_log_trim_group(int64_t group_id, int64_t max_events, int64_t max_bytes, int64_t *dropped);
/* Drops the earliest written events of all groups until the store holds at most
 * max_events and max_bytes, then streams and groups left empty. */
bool store_log_trim_total(int64_t max_events, int64_t max_bytes, int64_t *dropped);
/* Deletes groups with their streams and events: account NULL = every group; group NULL =
 * every group of the account in the region. */
bool store_log_delete(const char *account, const char *region, const char *group);

/* ---- CloudFormation stacks (stack_store.c): one JSON record per stack, and its events ---- */
bool store_stack_put(const char *stack_id, const char *record);
bool store_stack_delete(const char *stack_id);
/* Adds an event and keeps only the stack's newest keep events. */
bool store_stack_event_add(const char *stack_id, const char *record, int keep);
bool store_stack_each(void (*fn)(const char *stack_id, const char *record, void *arg), void *arg);
/* Every stored event, oldest first. */
bool store_stack_event_each(void (*fn)(const char *stack_id, const char *record, void *arg), void *arg);

#endif
