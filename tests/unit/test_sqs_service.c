/* test_sqs_service: the SQS service in-process, without HTTP: an in-memory store, the event
 * loop's timers and the emulated clock, frozen and moved by the test. Each case checks one
 * time rule (visibility, delay, retention, redrive, FIFO group order, deduplication) by
 * moving the clock to either side of its boundary; nothing here sleeps. The last cases make
 * the store refuse a commit (store_faults.h) and check that the call changed nothing, and
 * run several calls in one outer transaction, as the HTTP server's group commit does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sqsemu/clock.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

#include "store_faults.h"

#define ACCOUNT "000000000000"
#define START_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

static sqs_error last_error;

static int setup(void **state)
{
    (void)state;
    clock_set(START_MS);
    clock_freeze(true);
    if (!loop_init() || !store_open(NULL))
        return -1;
    sqs_settings settings = {.strict = false};
    if (!sqs_service_start(&settings))
        return -1;
    store_faults_prepare();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sqs_service_stop();
    store_close();
    loop_free();
    clock_freeze(false);
    return 0;
}

/* Runs one action with a JSON-protocol input; returns the output (NULL on an error, which
 * is left in last_error). */
static cJSON *call(const char *action, const char *input_json)
{
    sqs_ctx ctx = {
        .account = ACCOUNT,
        .region = "us-east-1",
        .url_base = "http://127.0.0.1:9324",
        .sender_id = ACCOUNT,
        .now_ms = clock_now_ms(),
    };
    cJSON *input = cJSON_Parse(input_json);
    assert_non_null(input);
    cJSON *output = NULL;
    memset(&last_error, 0, sizeof last_error);
    sqs_status status = sqs_service_call(&ctx, action, input, &output, &last_error);
    cJSON_Delete(input);
    sqs_ctx_release(&ctx);
    if (status == SQS_STATUS_ERROR)
        return NULL;
    assert_int_equal(status, SQS_STATUS_OK);
    return output;
}

static void ok(const char *action, const char *input_json)
{
    cJSON *out = call(action, input_json);
    if (!out)
        fail_msg("%s failed: %s", action, last_error.message);
    cJSON_Delete(out);
}

static char *create_queue(const char *name, const char *attributes_json)
{
    char input[1024];
    snprintf(input, sizeof input, "{\"QueueName\":\"%s\",\"Attributes\":%s}", name,
             attributes_json ? attributes_json : "{}");
    cJSON *out = call("CreateQueue", input);
    if (!out)
        fail_msg("CreateQueue %s: %s", name, last_error.message);
    char *url = strdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "QueueUrl")));
    cJSON_Delete(out);
    return url;
}

static void send_body(const char *url, const char *body, const char *extra_members)
{
    char input[1024];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\"%s%s}", url, body,
             extra_members ? "," : "", extra_members ? extra_members : "");
    ok("SendMessage", input);
}

/* ReceiveMessage without waiting; returns the Messages array (possibly empty), owned by the caller. */
static cJSON *receive(const char *url, int max, int visibility)
{
    char input[512];
    int n = snprintf(input, sizeof input,
                     "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":%d,\"WaitTimeSeconds\":0,"
                     "\"MessageSystemAttributeNames\":[\"All\"]",
                     url, max);
    if (visibility >= 0)
        snprintf(input + n, sizeof input - (size_t)n, ",\"VisibilityTimeout\":%d}", visibility);
    else
        snprintf(input + n, sizeof input - (size_t)n, "}");
    cJSON *out = call("ReceiveMessage", input);
    if (!out)
        fail_msg("ReceiveMessage: %s", last_error.message);
    cJSON *messages = cJSON_DetachItemFromObjectCaseSensitive(out, "Messages");
    cJSON_Delete(out);
    return messages ? messages : cJSON_CreateArray();
}

static int receive_count(const char *url, int max, int visibility)
{
    cJSON *messages = receive(url, max, visibility);
    int n = cJSON_GetArraySize(messages);
    cJSON_Delete(messages);
    return n;
}

static const char *member(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static const char *system_attribute(const cJSON *message, const char *name)
{
    return member(cJSON_GetObjectItemCaseSensitive(message, "Attributes"), name);
}

static void delete_message(const char *url, const cJSON *message)
{
    char input[1024];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", url,
             member(message, "ReceiptHandle"));
    ok("DeleteMessage", input);
}

static long queue_count(const char *url, const char *attribute)
{
    char input[512];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"%s\"]}", url, attribute);
    cJSON *out = call("GetQueueAttributes", input);
    assert_non_null(out);
    const char *value = member(cJSON_GetObjectItemCaseSensitive(out, "Attributes"), attribute);
    assert_non_null(value);
    long n = strtol(value, NULL, 10);
    cJSON_Delete(out);
    return n;
}

/* ---- visibility ---- */

static void test_visibility_timeout_boundary(void **state)
{
    (void)state;
    char *url = create_queue("visibility", "{\"VisibilityTimeout\":\"30\"}");
    send_body(url, "hello", NULL);
    cJSON *first = receive(url, 1, -1);
    assert_int_equal(cJSON_GetArraySize(first), 1);
    assert_string_equal(system_attribute(cJSON_GetArrayItem(first, 0), "ApproximateReceiveCount"), "1");
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessagesNotVisible"), 1);

    clock_advance(29999);
    assert_int_equal(receive_count(url, 1, -1), 0); /* still in flight 1 ms before the timeout */
    clock_advance(1);
    cJSON *again = receive(url, 1, -1);
    assert_int_equal(cJSON_GetArraySize(again), 1);
    assert_string_equal(system_attribute(cJSON_GetArrayItem(again, 0), "ApproximateReceiveCount"), "2");

    /* The first receipt handle is stale once the message was received again; the new one deletes. */
    delete_message(url, cJSON_GetArrayItem(again, 0));
    clock_advance(60000);
    assert_int_equal(receive_count(url, 1, -1), 0);
    cJSON_Delete(first);
    cJSON_Delete(again);
    free(url);
}

static void test_change_visibility_extends_and_zero_releases(void **state)
{
    (void)state;
    char *url = create_queue("change-visibility", NULL);
    send_body(url, "m", NULL);
    cJSON *got = receive(url, 1, 10);
    assert_int_equal(cJSON_GetArraySize(got), 1);
    char input[1024];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":100}", url,
             member(cJSON_GetArrayItem(got, 0), "ReceiptHandle"));
    ok("ChangeMessageVisibility", input); /* counted from now, not from the receive */
    clock_advance(99999);
    assert_int_equal(receive_count(url, 1, -1), 0);
    clock_advance(1);
    cJSON *again = receive(url, 1, 5);
    assert_int_equal(cJSON_GetArraySize(again), 1);
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":0}", url,
             member(cJSON_GetArrayItem(again, 0), "ReceiptHandle"));
    ok("ChangeMessageVisibility", input);
    assert_int_equal(receive_count(url, 1, -1), 1); /* visible at once, same instant */
    cJSON_Delete(got);
    cJSON_Delete(again);
    free(url);
}

/* ---- delay ---- */

static void test_delay_queue_and_message_delay(void **state)
{
    (void)state;
    char *url = create_queue("delayed", "{\"DelaySeconds\":\"5\"}");
    send_body(url, "queue-delay", NULL);
    send_body(url, "own-delay", "\"DelaySeconds\":12");
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessagesDelayed"), 2);
    clock_advance(4999);
    assert_int_equal(receive_count(url, 10, 60), 0);
    clock_advance(1);
    cJSON *got = receive(url, 10, 60);
    assert_int_equal(cJSON_GetArraySize(got), 1);
    assert_string_equal(member(cJSON_GetArrayItem(got, 0), "Body"), "queue-delay");
    clock_advance(6999); /* 11.999 s after sending */
    assert_int_equal(receive_count(url, 10, 60), 0);
    clock_advance(1);
    cJSON *later = receive(url, 10, 60);
    assert_int_equal(cJSON_GetArraySize(later), 1);
    assert_string_equal(member(cJSON_GetArrayItem(later, 0), "Body"), "own-delay");
    cJSON_Delete(got);
    cJSON_Delete(later);
    free(url);
}

/* ---- retention ---- */

static void test_retention_drops_old_messages(void **state)
{
    (void)state;
    char *url = create_queue("retention", "{\"MessageRetentionPeriod\":\"60\"}");
    send_body(url, "old", NULL);
    clock_advance(30000);
    send_body(url, "young", NULL);
    clock_advance(30001); /* "old" is 60.001 s old, "young" 30.001 s */
    cJSON *got = receive(url, 10, 30);
    assert_int_equal(cJSON_GetArraySize(got), 1);
    assert_string_equal(member(cJSON_GetArrayItem(got, 0), "Body"), "young");
    cJSON_Delete(got);
    clock_advance(3600000);
    assert_int_equal(receive_count(url, 10, 30), 0); /* in flight or not, past retention is gone */
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 0);
    free(url);
}

/* ---- redrive ---- */

static void test_redrive_after_max_receive_count(void **state)
{
    (void)state;
    char *dlq = create_queue("source-dlq", NULL);
    char attrs[512];
    snprintf(attrs, sizeof attrs,
             "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:%s:source-dlq\\\","
             "\\\"maxReceiveCount\\\":2}\"}",
             ACCOUNT);
    char *url = create_queue("source", attrs);
    send_body(url, "poison", NULL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(receive_count(url, 1, 10), 1);
        clock_advance(10000);
    }
    /* The third receive finds the message past maxReceiveCount: it moves instead. */
    assert_int_equal(receive_count(url, 1, 10), 0);
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 0);
    cJSON *dead = receive(dlq, 1, 10);
    assert_int_equal(cJSON_GetArraySize(dead), 1);
    assert_string_equal(member(cJSON_GetArrayItem(dead, 0), "Body"), "poison");
    cJSON_Delete(dead);
    free(url);
    free(dlq);
}

/* ---- FIFO ---- */

static void send_fifo(const char *url, const char *body, const char *group, const char *dedup)
{
    char extra[256];
    snprintf(extra, sizeof extra, "\"MessageGroupId\":\"%s\",\"MessageDeduplicationId\":\"%s\"", group, dedup);
    send_body(url, body, extra);
}

static void test_fifo_group_waits_for_in_flight_message(void **state)
{
    (void)state;
    char *url = create_queue("groups.fifo", "{\"FifoQueue\":\"true\"}");
    send_fifo(url, "a1", "a", "1");
    send_fifo(url, "a2", "a", "2");
    send_fifo(url, "b1", "b", "3");
    cJSON *first = receive(url, 1, 30);
    assert_int_equal(cJSON_GetArraySize(first), 1);
    assert_string_equal(member(cJSON_GetArrayItem(first, 0), "Body"), "a1");
    /* a2 must wait while a1 is in flight; b's message is free. */
    cJSON *next = receive(url, 10, 30);
    assert_int_equal(cJSON_GetArraySize(next), 1);
    assert_string_equal(member(cJSON_GetArrayItem(next, 0), "Body"), "b1");
    assert_int_equal(receive_count(url, 10, 30), 0);
    delete_message(url, cJSON_GetArrayItem(first, 0));
    cJSON *then = receive(url, 10, 30);
    assert_int_equal(cJSON_GetArraySize(then), 1);
    assert_string_equal(member(cJSON_GetArrayItem(then, 0), "Body"), "a2");
    cJSON_Delete(first);
    cJSON_Delete(next);
    cJSON_Delete(then);
    free(url);
}

static void test_fifo_group_returns_after_visibility_timeout_in_order(void **state)
{
    (void)state;
    char *url = create_queue("redeliver.fifo", "{\"FifoQueue\":\"true\"}");
    send_fifo(url, "x1", "x", "1");
    send_fifo(url, "x2", "x", "2");
    assert_int_equal(receive_count(url, 1, 20), 1);
    clock_advance(19999);
    assert_int_equal(receive_count(url, 10, 20), 0);
    clock_advance(1);
    cJSON *again = receive(url, 10, 20); /* x1 again first, then x2 in the same batch */
    assert_int_equal(cJSON_GetArraySize(again), 2);
    assert_string_equal(member(cJSON_GetArrayItem(again, 0), "Body"), "x1");
    assert_string_equal(member(cJSON_GetArrayItem(again, 1), "Body"), "x2");
    cJSON_Delete(again);
    free(url);
}

/* SendMessage on a FIFO queue; returns the MessageId (malloc'd). */
static char *send_fifo_id(const char *url, const char *body, const char *dedup)
{
    char input[1024];
    snprintf(input, sizeof input,
             "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\",\"MessageGroupId\":\"g\",\"MessageDeduplicationId\":\"%s\"}",
             url, body, dedup);
    cJSON *out = call("SendMessage", input);
    if (!out)
        fail_msg("SendMessage: %s", last_error.message);
    char *id = strdup(member(out, "MessageId"));
    cJSON_Delete(out);
    return id;
}

static void test_fifo_deduplication_window(void **state)
{
    (void)state;
    char *url = create_queue("dedup.fifo", "{\"FifoQueue\":\"true\"}");
    char *first = send_fifo_id(url, "one", "same");
    clock_advance(299999); /* 1 ms inside the 5-minute interval */
    char *repeat = send_fifo_id(url, "two", "same");
    assert_string_equal(first, repeat); /* accepted, answered with the first message's id, not queued */
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 1);
    clock_advance(1);
    char *fresh = send_fifo_id(url, "three", "same");
    assert_string_not_equal(first, fresh);
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 2);
    free(first);
    free(repeat);
    free(fresh);
    free(url);
}

static void test_fifo_content_based_deduplication(void **state)
{
    (void)state;
    char *url = create_queue("content.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
    send_body(url, "same body", "\"MessageGroupId\":\"g\"");
    send_body(url, "same body", "\"MessageGroupId\":\"other\""); /* the body's SHA-256 is the id, group or not */
    send_body(url, "another body", "\"MessageGroupId\":\"g\"");
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 2);
    free(url);
}

/* ---- errors change nothing ---- */

static void test_errors_are_kinds_and_change_nothing(void **state)
{
    (void)state;
    char *url = create_queue("errors", NULL);
    assert_null(call("NoSuchAction", "{}"));
    assert_int_equal(last_error.kind, SQS_ERR_INVALID_ACTION);
    char input[512];
    snprintf(input, sizeof input,
             "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"x\"},{\"Id\":\"a\",\"MessageBody\":\"y\"}]}",
             url);
    assert_null(call("SendMessageBatch", input));
    assert_int_equal(last_error.kind, SQS_ERR_BATCH_IDS_NOT_DISTINCT);
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 0);
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"forged\"}", url);
    assert_null(call("DeleteMessage", input));
    assert_int_equal(last_error.kind, SQS_ERR_RECEIPT_HANDLE_INVALID);
    assert_null(call("GetQueueUrl", "{\"QueueName\":\"missing\"}"));
    assert_int_equal(last_error.kind, SQS_ERR_QUEUE_DOES_NOT_EXIST);
    free(url);
}

/* ---- long polling ---- */

static void test_receive_with_wait_is_pending_until_its_deadline(void **state)
{
    (void)state;
    char *url = create_queue("long-poll", NULL);
    char input[512];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":5}", url);
    cJSON *in = cJSON_Parse(input);
    sqs_ctx ctx = {.account = ACCOUNT, .region = "us-east-1", .url_base = "http://127.0.0.1:9324",
                   .sender_id = ACCOUNT, .now_ms = clock_now_ms()};
    cJSON *out = NULL;
    sqs_error err = {0};
    assert_int_equal(sqs_service_call(&ctx, "ReceiveMessage", in, &out, &err), SQS_STATUS_PENDING);
    assert_non_null(ctx.wait_queue);
    assert_int_equal(ctx.poll_deadline_ms, clock_now_ms() + 5000);
    /* Re-run at the deadline: it answers, empty. */
    clock_advance(5000);
    ctx.now_ms = clock_now_ms();
    assert_int_equal(sqs_service_call(&ctx, "ReceiveMessage", in, &out, &err), SQS_STATUS_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "Messages")), 0);
    cJSON_Delete(out);
    cJSON_Delete(in);
    sqs_ctx_release(&ctx);
    free(url);
}

/* ---- a commit that fails changes nothing ---- */

static void test_failed_commits_leave_queues_as_they_were(void **state)
{
    (void)state;
    store_fail_commits("INSERT", "queues");
    assert_null(call("CreateQueue", "{\"QueueName\":\"never\"}"));
    assert_int_equal(last_error.kind, SQS_ERR_INTERNAL);
    store_faults_heal();
    assert_null(call("GetQueueUrl", "{\"QueueName\":\"never\"}"));
    assert_int_equal(last_error.kind, SQS_ERR_QUEUE_DOES_NOT_EXIST);

    char *url = create_queue("kept", "{\"VisibilityTimeout\":\"30\"}");
    char input[512];
    store_fail_commits("UPDATE", "queues");
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"Attributes\":{\"VisibilityTimeout\":\"5\"}}", url);
    assert_null(call("SetQueueAttributes", input));
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"Tags\":{\"team\":\"a\"}}", url);
    assert_null(call("TagQueue", input));
    store_faults_heal();
    assert_int_equal(queue_count(url, "VisibilityTimeout"), 30);
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\"}", url);
    cJSON *tags = call("ListQueueTags", input);
    assert_non_null(tags);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tags, "Tags")), 0);
    cJSON_Delete(tags);

    store_fail_commits("DELETE", "queues");
    assert_null(call("DeleteQueue", input));
    store_faults_heal();
    cJSON *still = call("GetQueueUrl", "{\"QueueName\":\"kept\"}");
    assert_non_null(still);
    cJSON_Delete(still);
    free(url);
}

static void test_failed_commits_lose_no_message_and_revive_none(void **state)
{
    (void)state;
    char *url = create_queue("messages", NULL);
    store_fail_commits("INSERT", "messages");
    assert_null(call("SendMessage", "{\"QueueUrl\":\"http://127.0.0.1:9324/000000000000/messages\",\"MessageBody\":\"x\"}"));
    store_faults_heal();
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 0); /* not acknowledged, not stored */

    send_body(url, "kept", NULL);
    cJSON *got = receive(url, 1, 30);
    assert_int_equal(cJSON_GetArraySize(got), 1);
    store_fail_commits("DELETE", "messages");
    char input[1024];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", url,
             member(cJSON_GetArrayItem(got, 0), "ReceiptHandle"));
    assert_null(call("DeleteMessage", input));
    store_faults_heal();
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessagesNotVisible"), 1); /* the delete did not happen */
    ok("DeleteMessage", input);
    clock_advance(30000);
    assert_int_equal(receive_count(url, 1, 30), 0);
    cJSON_Delete(got);
    free(url);
}

/* ---- several calls in one transaction (the HTTP server's group commit) ---- */

static void test_group_call_that_fails_undoes_only_itself(void **state)
{
    (void)state;
    char *url = create_queue("grouped", NULL);
    assert_true(tx_open_group());
    send_body(url, "first", NULL);
    store_fail_writes("INSERT", "queues");
    assert_null(call("CreateQueue", "{\"QueueName\":\"refused\"}"));
    assert_int_equal(last_error.kind, SQS_ERR_INTERNAL);
    store_faults_heal();
    char input[512];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"Attributes\":{\"VisibilityTimeout\":\"-1\"}}", url);
    assert_null(call("SetQueueAttributes", input));
    assert_int_equal(last_error.kind, SQS_ERR_INVALID_ATTRIBUTE_VALUE);
    char *other = create_queue("grouped-too", NULL);
    send_body(other, "second", NULL);
    assert_true(tx_close(true));
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 1);
    assert_int_equal(queue_count(other, "ApproximateNumberOfMessages"), 1);
    assert_int_equal(queue_count(url, "VisibilityTimeout"), 30);
    assert_null(call("GetQueueUrl", "{\"QueueName\":\"refused\"}"));
    assert_int_equal(last_error.kind, SQS_ERR_QUEUE_DOES_NOT_EXIST);
    free(other);
    free(url);
}

static void test_group_commit_that_fails_undoes_every_call(void **state)
{
    (void)state;
    char *url = create_queue("before", NULL);
    assert_true(tx_open_group());
    char *created = create_queue("in-group", NULL);
    store_fail_commits("INSERT", "messages");
    send_body(url, "lost", NULL); /* the write succeeds: the group's COMMIT fails */
    char input[512];
    snprintf(input, sizeof input, "{\"QueueUrl\":\"%s\",\"Attributes\":{\"VisibilityTimeout\":\"7\"}}", url);
    ok("SetQueueAttributes", input);
    assert_false(tx_close(true));
    store_faults_heal();
    assert_int_equal(queue_count(url, "ApproximateNumberOfMessages"), 0);
    assert_int_equal(queue_count(url, "VisibilityTimeout"), 30);
    assert_null(call("GetQueueUrl", "{\"QueueName\":\"in-group\"}"));
    assert_int_equal(last_error.kind, SQS_ERR_QUEUE_DOES_NOT_EXIST);
    free(created);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_visibility_timeout_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_visibility_extends_and_zero_releases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delay_queue_and_message_delay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_drops_old_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redrive_after_max_receive_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_group_waits_for_in_flight_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_group_returns_after_visibility_timeout_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_deduplication_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_content_based_deduplication, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_are_kinds_and_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_with_wait_is_pending_until_its_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_commits_leave_queues_as_they_were, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_commits_lose_no_message_and_revive_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_call_that_fails_undoes_only_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_that_fails_undoes_every_call, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
