/* test_core: unit tests for receipt handles, the timer min-heap and the growable buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/ids.h"
#include "sqsemu/names.h"
#include "sqsemu/timers.h"

#include "../../src/sqs/receipt.h"

/* ------------------------------------------------------------------ receipt handles */

static void assert_receipt_equal(const receipt *a, const receipt *b)
{
    assert_int_equal(a->queue_id, b->queue_id);
    assert_int_equal(a->rowid, b->rowid);
    assert_int_equal(a->secret, b->secret);
    assert_int_equal(a->receive_ms, b->receive_ms);
    assert_int_equal(a->receive_count, b->receive_count);
}

static void assert_round_trip(const receipt *r)
{
    char *text = receipt_encode(r);
    assert_non_null(text);
    receipt back;
    memset(&back, 0xAB, sizeof back);
    assert_true(receipt_decode(text, &back));
    assert_receipt_equal(&back, r);
    free(text);
}

static void test_receipt_round_trip(void **state)
{
    (void)state;
    const receipt typical = {.queue_id = 7, .rowid = 12345, .secret = 0x1234567890abcdefLL,
                             .receive_ms = 1795349444414LL, .receive_count = 3};
    assert_round_trip(&typical);
    const receipt smallest = {.queue_id = 1, .rowid = 1, .secret = 0, .receive_ms = 0, .receive_count = 1};
    assert_round_trip(&smallest);
    const receipt extremes = {.queue_id = INT64_MAX, .rowid = INT64_MAX, .secret = INT64_MIN,
                              .receive_ms = INT64_C(1) << 50, .receive_count = INT64_MAX};
    assert_round_trip(&extremes);
    /* Each field lands in its own place: one distinct bit pattern per field. */
    const receipt distinct = {.queue_id = 0x0102030405060708LL, .rowid = 0x1112131415161718LL,
                              .secret = 0x2122232425262728LL, .receive_ms = 0x0002333435363738LL,
                              .receive_count = 0x4142434445464748LL};
    assert_round_trip(&distinct);
}

/* Even with a valid MAC, a record whose fields no delivery could have is not a handle (a
 * receive time near INT64_MAX once overflowed the 12-hour cap check). */
static void test_receipt_out_of_range_fields_rejected(void **state)
{
    (void)state;
    const receipt bad[] = {
        {.queue_id = 0, .rowid = 1, .receive_ms = 1, .receive_count = 1},
        {.queue_id = -1, .rowid = 1, .receive_ms = 1, .receive_count = 1},
        {.queue_id = 1, .rowid = 0, .receive_ms = 1, .receive_count = 1},
        {.queue_id = 1, .rowid = INT64_MIN, .receive_ms = 1, .receive_count = 1},
        {.queue_id = 1, .rowid = 1, .receive_ms = -1, .receive_count = 1},
        {.queue_id = 1, .rowid = 1, .receive_ms = INT64_MAX, .receive_count = 1},
        {.queue_id = 1, .rowid = 1, .receive_ms = (INT64_C(1) << 50) + 1, .receive_count = 1},
        {.queue_id = 1, .rowid = 1, .receive_ms = 1, .receive_count = 0},
        {.queue_id = 1, .rowid = 1, .receive_ms = 1, .receive_count = -4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = receipt_encode(&bad[i]);
        receipt out;
        assert_false(receipt_decode(text, &out));
        free(text);
    }
}

/* Handles are authenticated: changing any single bit of the record, or the key, makes a
 * handle invalid (a client once could edit receive_ms to bypass the 12-hour cap). */
static void test_receipt_any_edit_rejected(void **state)
{
    (void)state;
    const receipt r = {.queue_id = 3, .rowid = 4, .secret = 5, .receive_ms = 1795349444414LL, .receive_count = 2};
    char *text = receipt_encode(&r);
    size_t raw_len = 0;
    unsigned char *raw = base64_decode(text, strlen(text), &raw_len);
    assert_non_null(raw);
    for (size_t i = 0; i < raw_len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            raw[i] ^= (unsigned char)(1u << bit);
            char *edited = base64_encode(raw, raw_len);
            receipt out;
            assert_false(receipt_decode(edited, &out));
            free(edited);
            raw[i] ^= (unsigned char)(1u << bit);
        }
    }
    receipt back;
    assert_true(receipt_decode(text, &back));
    unsigned char other_key[RECEIPT_KEY_BYTES];
    memset(other_key, 0x42, sizeof other_key);
    receipt_set_key(other_key);
    assert_false(receipt_decode(text, &back));
    char *mine = receipt_encode(&r);
    assert_true(receipt_decode(mine, &back));
    assert_receipt_equal(&back, &r);
    free(mine);
    free(raw);
    free(text);
}

static void test_receipt_text_is_safe(void **state)
{
    (void)state;
    const receipt r = {.queue_id = 1, .rowid = 2, .secret = 3, .receive_ms = 4, .receive_count = 5};
    char *text = receipt_encode(&r);
    size_t len = strlen(text);
    assert_int_equal(len, 112);
    assert_true(len >= 16);
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                  c == '/' || c == '=';
        assert_true(ok);
    }
    free(text);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_receipt_every_handle_different(void **state)
{
    (void)state;
    enum { N = 2000 };
    const receipt r = {.queue_id = 1, .rowid = 1, .secret = 42, .receive_ms = 1000, .receive_count = 1};
    char **handles = malloc(N * sizeof *handles);
    assert_non_null(handles);
    for (int i = 0; i < N; i++) {
        handles[i] = receipt_encode(&r);
        receipt back;
        assert_true(receipt_decode(handles[i], &back));
        assert_receipt_equal(&back, &r);
    }
    qsort(handles, N, sizeof *handles, compare_strings);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(handles[i - 1], handles[i]);
    for (int i = 0; i < N; i++)
        free(handles[i]);
    free(handles);
}

static void assert_receipt_rejected(const char *text)
{
    receipt out = {0};
    if (receipt_decode(text, &out))
        print_error("accepted handle \"%s\"\n", text);
    assert_false(receipt_decode(text, &out));
}

static void test_receipt_garbage_rejected(void **state)
{
    (void)state;
    assert_receipt_rejected("");
    assert_receipt_rejected("garbage");
    assert_receipt_rejected("not a receipt handle at all!");
    assert_receipt_rejected("AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...");
    assert_receipt_rejected("AAAA");
    assert_receipt_rejected("====");
    /* Base64 of the right length but all zero bytes, and of all 0xff bytes. */
    unsigned char raw[84];
    memset(raw, 0, sizeof raw);
    char *zeros = base64_encode(raw, sizeof raw);
    assert_receipt_rejected(zeros);
    free(zeros);
    memset(raw, 0xff, sizeof raw);
    char *ones = base64_encode(raw, sizeof raw);
    assert_receipt_rejected(ones);
    free(ones);
}

static void test_receipt_mangled_handles_rejected(void **state)
{
    (void)state;
    const receipt r = {.queue_id = 9, .rowid = 99, .secret = 999, .receive_ms = 9999, .receive_count = 9};
    char *text = receipt_encode(&r);
    size_t len = strlen(text);
    char *copy = malloc(len + 8);
    assert_non_null(copy);

    /* Truncated (by a whole base64 quantum and by one character). */
    memcpy(copy, text, len - 4);
    copy[len - 4] = '\0';
    assert_receipt_rejected(copy);
    memcpy(copy, text, len - 1);
    copy[len - 1] = '\0';
    assert_receipt_rejected(copy);
    /* Extended. */
    snprintf(copy, len + 8, "%sAAAA", text);
    assert_receipt_rejected(copy);
    snprintf(copy, len + 8, "%s\n", text);
    assert_receipt_rejected(copy);
    snprintf(copy, len + 8, " %s", text);
    assert_receipt_rejected(copy);
    /* A character that is not base64. */
    memcpy(copy, text, len + 1);
    copy[len / 2] = '!';
    assert_receipt_rejected(copy);
    memcpy(copy, text, len + 1);
    copy[0] = '-';
    assert_receipt_rejected(copy);

    free(copy);
    free(text);
}

static void test_receipt_short_and_long_records_rejected(void **state)
{
    (void)state;
    const receipt r = {.queue_id = 5, .rowid = 6, .secret = 7, .receive_ms = 8, .receive_count = 9};
    char *text = receipt_encode(&r);
    size_t raw_len = 0;
    unsigned char *raw = base64_decode(text, strlen(text), &raw_len);
    assert_non_null(raw);
    assert_true(raw_len > 4);

    /* The same record, re-encoded with a byte dropped or added, is not a handle. */
    char *shorter = base64_encode(raw, raw_len - 1);
    assert_receipt_rejected(shorter);
    free(shorter);
    char *shortest = base64_encode(raw, raw_len / 2);
    assert_receipt_rejected(shortest);
    free(shortest);
    unsigned char *longer = malloc(raw_len + 3);
    assert_non_null(longer);
    memcpy(longer, raw, raw_len);
    memset(longer + raw_len, 0, 3);
    for (size_t extra = 1; extra <= 3; extra++) {
        char *t = base64_encode(longer, raw_len + extra);
        assert_receipt_rejected(t);
        free(t);
    }
    free(longer);

    /* Re-encoding the unchanged record is still a valid handle (the check is on content). */
    char *same = base64_encode(raw, raw_len);
    receipt back;
    assert_true(receipt_decode(same, &back));
    assert_receipt_equal(&back, &r);
    free(same);

    free(raw);
    free(text);
}

static void test_receipt_other_version_rejected(void **state)
{
    (void)state;
    /* The record is versioned: a handle whose leading (version) byte differs is not ours. */
    const receipt r = {.queue_id = 5, .rowid = 6, .secret = 7, .receive_ms = 8, .receive_count = 9};
    char *text = receipt_encode(&r);
    size_t raw_len = 0;
    unsigned char *raw = base64_decode(text, strlen(text), &raw_len);
    assert_non_null(raw);
    const unsigned char version = raw[0];
    const unsigned char others[] = {(unsigned char)(version + 1), (unsigned char)(version - 1),
                                    (unsigned char)(version ^ 0x80), 0x00, 0xff};
    for (size_t i = 0; i < sizeof others; i++) {
        if (others[i] == version)
            continue;
        raw[0] = others[i];
        char *t = base64_encode(raw, raw_len);
        assert_receipt_rejected(t);
        free(t);
    }
    free(raw);
    free(text);
}

/* ------------------------------------------------------------------ names */

static void test_region_names(void **state)
{
    (void)state;
    const char *good[] = {"us-east-1", "eu-west-3", "ap-southeast-10", "us-gov-west-1", "cn-north-1",
                          "cn-northwest-1", "eu-isoe-west-1", "us-isob-east-1", "us-isof-south-1", "il-central-1",
                          "mx-central-1"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(name_is_region(good[i]));
    const char *bad[] = {"", "..", "../../etc", "us-east-1%00", "US-EAST-1", "us-east", "useast1", "us-east-1-",
                         "u-east-1", "uswest-east-1", "us--east-1", "us-east-1a", "us-a-b-c-1", "us-east-1/x",
                         "elasticmq", "local", "aws-global"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(name_is_region(bad[i]));
    char longest[80];
    memset(longest, 'a', sizeof longest);
    memcpy(longest, "us-", 3);
    strcpy(longest + 70, "-1");
    assert_false(name_is_region(longest));
}

static void test_account_ids(void **state)
{
    (void)state;
    assert_true(name_is_account_id("000000000000"));
    assert_true(name_is_account_id("123456789012"));
    assert_false(name_is_account_id("12345678901"));
    assert_false(name_is_account_id("1234567890123"));
    assert_false(name_is_account_id("12345678901a"));
    assert_false(name_is_account_id(""));
    assert_false(name_is_account_id(" 23456789012"));
}

/* ------------------------------------------------------------------ timers */

typedef struct fired_log {
    int ids[4096];
    int64_t due[4096];
    size_t count;
} fired_log;

typedef struct test_timer {
    sq_timer timer;
    int id;
    fired_log *log;
    timers *owner;
    int64_t armed_due;       /* due time of the latest arm() */
    bool was_armed_in_callback;
    /* Optional behaviour in the callback. */
    int rearm_times;         /* re-arm itself this many more times */
    int64_t rearm_step;
    struct test_timer *cancel_other;
    struct test_timer *arm_other;
    int64_t arm_other_due;
} test_timer;

static void arm(timers *t, test_timer *tt, int64_t due);

static void on_fire(void *arg)
{
    test_timer *tt = arg;
    fired_log *log = tt->log;
    assert_true(log->count < sizeof log->ids / sizeof log->ids[0]);
    log->ids[log->count] = tt->id;
    log->due[log->count] = tt->armed_due;
    log->count++;
    tt->was_armed_in_callback = tt->timer.armed;
    if (tt->cancel_other)
        timers_cancel(tt->owner, &tt->cancel_other->timer);
    if (tt->arm_other)
        arm(tt->owner, tt->arm_other, tt->arm_other_due);
    if (tt->rearm_times > 0) {
        tt->rearm_times--;
        arm(tt->owner, tt, tt->armed_due + tt->rearm_step);
    }
}

static void init_test_timers(test_timer *tts, size_t n, timers *owner, fired_log *log)
{
    memset(tts, 0, n * sizeof *tts);
    for (size_t i = 0; i < n; i++) {
        tts[i].id = (int)i;
        tts[i].log = log;
        tts[i].owner = owner;
    }
}

static void arm(timers *t, test_timer *tt, int64_t due)
{
    tt->armed_due = due;
    timers_arm(t, &tt->timer, due, on_fire, tt);
}

/* The heap property and the back-pointers documented in timers.h. */
static void assert_heap_consistent(const timers *t)
{
    for (size_t i = 0; i < t->count; i++) {
        assert_true(t->heap[i]->armed);
        assert_int_equal(t->heap[i]->heap_index, i);
        if (i > 0)
            assert_true(t->heap[(i - 1) / 2]->due_ms <= t->heap[i]->due_ms);
    }
    assert_int_equal(timers_next_due(t), t->count ? t->heap[0]->due_ms : -1);
}

static void test_timers_empty(void **state)
{
    (void)state;
    timers t;
    timers_init(&t);
    assert_int_equal(timers_next_due(&t), -1);
    timers_run_due(&t, INT64_MAX);
    assert_int_equal(t.count, 0);
    sq_timer unarmed = {0};
    timers_cancel(&t, &unarmed); /* cancelling an unarmed timer is a no-op */
    assert_int_equal(t.count, 0);
    assert_false(unarmed.armed);
    timers_free(&t);
}

static uint64_t lcg_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static void test_timers_many_in_order(void **state)
{
    (void)state;
    enum { N = 1000 };
    static test_timer tts[N];
    static fired_log log;
    memset(&log, 0, sizeof log);
    timers t;
    timers_init(&t);
    init_test_timers(tts, N, &t, &log);
    uint64_t seed = 12345;
    int64_t min_due = INT64_MAX;
    for (int i = 0; i < N; i++) {
        int64_t due = (int64_t)(lcg_next(&seed) % 5000) + 1; /* duplicates included */
        if (due < min_due)
            min_due = due;
        arm(&t, &tts[i], due);
        assert_int_equal(timers_next_due(&t), min_due);
    }
    assert_int_equal(t.count, N);
    assert_heap_consistent(&t);
    timers_run_due(&t, INT64_MAX);
    assert_int_equal(log.count, N);
    assert_int_equal(t.count, 0);
    assert_int_equal(timers_next_due(&t), -1);
    bool seen[N] = {false};
    for (size_t i = 0; i < log.count; i++) {
        if (i > 0)
            assert_true(log.due[i - 1] <= log.due[i]);
        assert_false(seen[log.ids[i]]);
        seen[log.ids[i]] = true;
        assert_false(tts[log.ids[i]].timer.armed);
    }
    timers_free(&t);
}

static void test_timers_cancel_head_middle_tail(void **state)
{
    (void)state;
    enum { N = 15 };
    test_timer tts[N];
    fired_log log = {.count = 0};
    timers t;
    timers_init(&t);
    init_test_timers(tts, N, &t, &log);
    for (int i = 0; i < N; i++)
        arm(&t, &tts[i], 10 * (i + 1)); /* ids 0..14 due 10..150 */
    assert_int_equal(timers_next_due(&t), 10);

    timers_cancel(&t, &tts[0].timer); /* head */
    assert_false(tts[0].timer.armed);
    assert_int_equal(timers_next_due(&t), 20);
    assert_heap_consistent(&t);
    timers_cancel(&t, &tts[7].timer); /* middle */
    assert_heap_consistent(&t);
    timers_cancel(&t, &tts[N - 1].timer); /* the latest-due timer */
    assert_heap_consistent(&t);
    sq_timer *last = t.heap[t.count - 1];
    timers_cancel(&t, last); /* the actual tail of the heap array */
    assert_heap_consistent(&t);
    timers_cancel(&t, &tts[7].timer); /* twice: no-op */
    assert_int_equal(t.count, N - 4);

    timers_run_due(&t, 1000);
    assert_int_equal(log.count, N - 4);
    for (size_t i = 0; i < log.count; i++) {
        int id = log.ids[i];
        assert_true(id != 0 && id != 7 && id != N - 1);
        assert_ptr_not_equal(&tts[id].timer, last);
        if (i > 0)
            assert_true(log.due[i - 1] < log.due[i]);
    }
    timers_free(&t);
}

static void test_timers_cancel_keeps_heap_after_swap(void **state)
{
    (void)state;
    /* Removing a node whose replacement (the last heap element) is smaller than the removed
     * node's parent must sift the replacement up. Heap array: 1 | 100 2 | 101 102 3 4. */
    test_timer tts[7];
    fired_log log = {.count = 0};
    timers t;
    timers_init(&t);
    init_test_timers(tts, 7, &t, &log);
    const int64_t dues[7] = {1, 100, 2, 101, 102, 3, 4};
    for (int i = 0; i < 7; i++)
        arm(&t, &tts[i], dues[i]);
    assert_heap_consistent(&t);
    /* Cancel the timer due at 101 (a child of 100): the last element (4) replaces it and must
     * rise above 100. */
    timers_cancel(&t, &tts[3].timer);
    assert_heap_consistent(&t);
    timers_run_due(&t, 1000);
    const int expected[] = {0, 2, 5, 6, 1, 4};
    assert_int_equal(log.count, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(log.ids[i], expected[i]);
    timers_free(&t);
}

static void test_timers_rearm_moves(void **state)
{
    (void)state;
    test_timer tts[3];
    fired_log log = {.count = 0};
    timers t;
    timers_init(&t);
    init_test_timers(tts, 3, &t, &log);
    arm(&t, &tts[0], 100);
    arm(&t, &tts[1], 200);
    arm(&t, &tts[2], 500);
    arm(&t, &tts[0], 300); /* later: moves, does not duplicate */
    assert_int_equal(t.count, 3);
    assert_int_equal(timers_next_due(&t), 200);
    assert_heap_consistent(&t);
    arm(&t, &tts[2], 50); /* earlier */
    assert_int_equal(t.count, 3);
    assert_int_equal(timers_next_due(&t), 50);
    assert_heap_consistent(&t);
    arm(&t, &tts[1], 200); /* same time */
    assert_int_equal(t.count, 3);

    timers_run_due(&t, 250);
    assert_int_equal(log.count, 2);
    assert_int_equal(log.ids[0], 2);
    assert_int_equal(log.ids[1], 1);
    assert_int_equal(timers_next_due(&t), 300);
    timers_run_due(&t, 1000);
    assert_int_equal(log.count, 3);
    assert_int_equal(log.ids[2], 0);
    assert_int_equal(log.due[2], 300);
    assert_int_equal(timers_next_due(&t), -1);
    timers_free(&t);
}

static void test_timers_run_due_only_due(void **state)
{
    (void)state;
    test_timer tts[5];
    fired_log log = {.count = 0};
    timers t;
    timers_init(&t);
    init_test_timers(tts, 5, &t, &log);
    arm(&t, &tts[0], 40);
    arm(&t, &tts[1], 10);
    arm(&t, &tts[2], 30);
    arm(&t, &tts[3], 20);
    arm(&t, &tts[4], 50);

    timers_run_due(&t, 5);
    assert_int_equal(log.count, 0);
    timers_run_due(&t, 20); /* inclusive: due == now fires */
    assert_int_equal(log.count, 2);
    assert_int_equal(log.ids[0], 1);
    assert_int_equal(log.ids[1], 3);
    assert_false(tts[1].was_armed_in_callback); /* disarmed before its callback */
    assert_false(tts[3].was_armed_in_callback);
    assert_true(tts[0].timer.armed);
    assert_int_equal(timers_next_due(&t), 30);
    timers_run_due(&t, 20); /* nothing more is due */
    assert_int_equal(log.count, 2);
    timers_run_due(&t, 49);
    assert_int_equal(log.count, 4);
    assert_int_equal(log.ids[2], 2);
    assert_int_equal(log.ids[3], 0);
    assert_int_equal(timers_next_due(&t), 50);
    timers_run_due(&t, 50);
    assert_int_equal(log.count, 5);
    assert_int_equal(log.ids[4], 4);
    assert_int_equal(t.count, 0);
    timers_free(&t);
}

static void test_timers_callback_rearms_itself(void **state)
{
    (void)state;
    test_timer tts[2];
    fired_log log = {.count = 0};
    timers t;
    timers_init(&t);
    init_test_timers(tts, 2, &t, &log);
    tts[0].rearm_times = 3;
    tts[0].rearm_step = 100;
    arm(&t, &tts[0], 10);
    arm(&t, &tts[1], 150);

    timers_run_due(&t, 50); /* fires at 10, re-arms for 110 */
    assert_int_equal(log.count, 1);
    assert_true(tts[0].timer.armed);
    assert_int_equal(t.count, 2);
    assert_int_equal(timers_next_due(&t), 110);
    assert_heap_consistent(&t);

    timers_run_due(&t, 160); /* 110 (re-arms for 210), then 150 */
    assert_int_equal(log.count, 3);
    assert_int_equal(log.ids[1], 0);
    assert_int_equal(log.due[1], 110);
    assert_int_equal(log.ids[2], 1);
    assert_int_equal(timers_next_due(&t), 210);

    timers_run_due(&t, 10000); /* 210 (re-arms for 310), 310 (last: no re-arm) */
    assert_int_equal(log.count, 5);
    assert_int_equal(log.due[3], 210);
    assert_int_equal(log.due[4], 310);
    assert_false(tts[0].timer.armed);
    assert_int_equal(timers_next_due(&t), -1);
    timers_free(&t);
}

static void test_timers_callback_cancels_and_arms_others(void **state)
{
    (void)state;
    test_timer tts[4];
    fired_log log = {.count = 0};
    timers t;
    timers_init(&t);
    init_test_timers(tts, 4, &t, &log);
    tts[0].cancel_other = &tts[1]; /* cancels a timer that is also due */
    tts[0].arm_other = &tts[3];    /* arms a new one, due within this run */
    tts[0].arm_other_due = 25;
    arm(&t, &tts[0], 10);
    arm(&t, &tts[1], 20);
    arm(&t, &tts[2], 30);
    timers_run_due(&t, 30);
    assert_int_equal(log.count, 3);
    assert_int_equal(log.ids[0], 0);
    assert_int_equal(log.ids[1], 3);
    assert_int_equal(log.ids[2], 2);
    assert_false(tts[1].timer.armed);
    assert_int_equal(t.count, 0);
    timers_free(&t);
}

static void test_timers_random_against_model(void **state)
{
    (void)state;
    enum { N = 300, OPS = 20000 };
    static test_timer tts[N];
    static fired_log log;
    memset(&log, 0, sizeof log);
    timers t;
    timers_init(&t);
    init_test_timers(tts, N, &t, &log);
    bool armed[N] = {false};
    int64_t due[N] = {0};
    uint64_t seed = 987654321;
    for (int op = 0; op < OPS; op++) {
        int i = (int)(lcg_next(&seed) % N);
        if (lcg_next(&seed) % 3 == 0) {
            timers_cancel(&t, &tts[i].timer);
            armed[i] = false;
        } else {
            due[i] = (int64_t)(lcg_next(&seed) % 100000);
            arm(&t, &tts[i], due[i]);
            armed[i] = true;
        }
        size_t n = 0;
        int64_t min_due = -1;
        for (int k = 0; k < N; k++) {
            assert_int_equal(tts[k].timer.armed, armed[k]);
            if (armed[k]) {
                n++;
                if (min_due < 0 || due[k] < min_due)
                    min_due = due[k];
            }
        }
        assert_int_equal(t.count, n);
        assert_int_equal(timers_next_due(&t), min_due);
        if (op % 97 == 0)
            assert_heap_consistent(&t);
    }
    /* Drain in steps; everything armed fires once, in due order, only when due. */
    size_t expected = t.count;
    for (int64_t now = 0; now <= 100000; now += 5000) {
        size_t before = log.count;
        timers_run_due(&t, now);
        for (size_t k = before; k < log.count; k++)
            assert_true(log.due[k] <= now);
        assert_true(timers_next_due(&t) == -1 || timers_next_due(&t) > now);
    }
    assert_int_equal(log.count, expected);
    for (size_t k = 1; k < log.count; k++)
        assert_true(log.due[k - 1] <= log.due[k]);
    assert_int_equal(t.count, 0);
    timers_free(&t);
}

/* ------------------------------------------------------------------ buf */

static void test_buf_init_and_append(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_append(&b, "abc", 3);
    assert_non_null(b.data);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_true(b.cap > b.len);
    buf_puts(&b, "def");
    buf_putc(&b, 'g');
    buf_append(&b, "zzz", 0);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "abcdefg");
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_buf_binary_data(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    const char data[] = {'a', 0, 'b', 0, 0, (char)0xff};
    buf_append(&b, data, sizeof data);
    buf_putc(&b, '\0');
    assert_int_equal(b.len, sizeof data + 1);
    assert_memory_equal(b.data, data, sizeof data);
    assert_int_equal(b.data[sizeof data], 0);
    assert_int_equal(b.data[b.len], 0);
    buf_free(&b);
}

static void test_buf_growth(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    size_t expected_len = 0;
    for (int i = 0; i < 5000; i++) {
        char chunk[8];
        int n = snprintf(chunk, sizeof chunk, "%d,", i % 1000);
        buf_append(&b, chunk, (size_t)n);
        expected_len += (size_t)n;
        assert_int_equal(b.len, expected_len);
        assert_true(b.cap >= b.len + 1);
        assert_int_equal(b.data[b.len], '\0');
    }
    /* Spot-check the content survived every reallocation. */
    assert_memory_equal(b.data, "0,1,2,3,", 8);
    assert_memory_equal(b.data + b.len - 4, "999,", 4);
    /* One append much larger than the current capacity. */
    size_t big = b.cap * 3 + 17;
    char *block = malloc(big);
    assert_non_null(block);
    memset(block, 'q', big);
    size_t before = b.len;
    buf_append(&b, block, big);
    assert_int_equal(b.len, before + big);
    assert_true(b.cap >= b.len + 1);
    assert_memory_equal(b.data + before, block, big);
    assert_int_equal(b.data[b.len], '\0');
    free(block);
    buf_free(&b);
}

static void test_buf_printf(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s=%d", "count", 42);
    assert_string_equal(b.data, "count=42");
    assert_int_equal(b.len, 8);
    buf_printf(&b, ";%05.1f;%c;%lld", 3.14159, 'x', (long long)INT64_MIN);
    assert_string_equal(b.data, "count=42;003.1;x;-9223372036854775808");
    assert_int_equal(b.len, strlen(b.data));
    /* A formatted piece larger than the initial capacity. */
    char *large = malloc(5001);
    assert_non_null(large);
    memset(large, 'L', 5000);
    large[5000] = '\0';
    size_t before = b.len;
    buf_printf(&b, "[%s]", large);
    assert_int_equal(b.len, before + 5002);
    assert_int_equal(b.data[before], '[');
    assert_memory_equal(b.data + before + 1, large, 5000);
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    free(large);
    buf_free(&b);
}

static void vprintf_helper(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vprintf_helper(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

static void test_buf_vprintf(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "<");
    vprintf_helper(&b, "%s:%u", "port", 9324u);
    vprintf_helper(&b, "%s", "");
    buf_puts(&b, ">");
    assert_string_equal(b.data, "<port:9324>");
    assert_int_equal(b.len, 11);
    buf_free(&b);
}

static void test_buf_reset(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_reset(&b); /* on an empty buffer */
    assert_int_equal(b.len, 0);
    buf_puts(&b, "something long enough");
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.cap, cap); /* storage kept */
    buf_puts(&b, "again");
    assert_string_equal(b.data, "again");
    assert_int_equal(b.len, 5);
    buf_free(&b);
}

static void test_buf_detach(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s-%d", "detached", 7);
    size_t len = 0;
    char *p = buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "detached-7");
    assert_int_equal(len, 10);
    /* b is reset and reusable; p belongs to the caller. */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_puts(&b, "new");
    assert_string_equal(b.data, "new");
    assert_string_equal(p, "detached-7");
    free(p);

    /* len may be NULL. */
    char *q = buf_detach(&b, NULL);
    assert_string_equal(q, "new");
    free(q);

    /* Detaching a never-used buffer yields an empty malloc'd string. */
    buf_t empty;
    buf_init(&empty);
    len = 99;
    char *e = buf_detach(&empty, &len);
    assert_non_null(e);
    assert_string_equal(e, "");
    assert_int_equal(len, 0);
    free(e);

    /* Binary content keeps its length through detach. */
    buf_append(&empty, "a\0b", 3);
    char *bin = buf_detach(&empty, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(bin, "a\0b", 4);
    free(bin);
}

static void test_x_string_helpers(void **state)
{
    (void)state;
    char *d = xstrdup("duplicate");
    assert_string_equal(d, "duplicate");
    free(d);
    char *n = xstrndup("abcdef", 3);
    assert_string_equal(n, "abc");
    free(n);
    char *z = xstrndup("", 0);
    assert_string_equal(z, "");
    free(z);
    int *c = xcalloc(16, sizeof *c);
    for (int i = 0; i < 16; i++)
        assert_int_equal(c[i], 0);
    c = xrealloc(c, 32 * sizeof *c);
    assert_int_equal(c[15], 0);
    free(c);
}

/* ---- ids ---- */

static int compare_uuids(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_uuids_are_v4_and_distinct(void **state)
{
    (void)state;
    enum { COUNT = 3000 }; /* more than one pool refill */
    static char ids[COUNT][UUID_STR_LEN];
    for (int i = 0; i < COUNT; i++) {
        ids_uuid(ids[i]);
        assert_int_equal(strlen(ids[i]), 36);
        for (int k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                assert_int_equal(ids[i][k], '-');
            else
                assert_non_null(strchr("0123456789abcdef", ids[i][k]));
        }
        assert_int_equal(ids[i][14], '4');
        assert_non_null(strchr("89ab", ids[i][19]));
    }
    qsort(ids, COUNT, UUID_STR_LEN, compare_uuids);
    for (int i = 1; i < COUNT; i++)
        assert_int_not_equal(strcmp(ids[i - 1], ids[i]), 0);
}

static void test_random_bytes_are_not_repeated(void **state)
{
    (void)state;
    unsigned char a[5000], b[5000];
    ids_random(a, sizeof a);
    ids_random(b, sizeof b);
    assert_int_not_equal(memcmp(a, b, sizeof a), 0);
    int zeros = 0; /* a pool that handed out its cleared bytes would give long zero runs */
    for (size_t i = 0; i < sizeof a; i++)
        zeros += a[i] == 0;
    assert_true(zeros < 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receipt_round_trip),
        cmocka_unit_test(test_receipt_out_of_range_fields_rejected),
        cmocka_unit_test(test_receipt_any_edit_rejected),
        cmocka_unit_test(test_receipt_text_is_safe),
        cmocka_unit_test(test_receipt_every_handle_different),
        cmocka_unit_test(test_receipt_garbage_rejected),
        cmocka_unit_test(test_receipt_mangled_handles_rejected),
        cmocka_unit_test(test_receipt_short_and_long_records_rejected),
        cmocka_unit_test(test_receipt_other_version_rejected),
        cmocka_unit_test(test_region_names),
        cmocka_unit_test(test_account_ids),
        cmocka_unit_test(test_timers_empty),
        cmocka_unit_test(test_timers_many_in_order),
        cmocka_unit_test(test_timers_cancel_head_middle_tail),
        cmocka_unit_test(test_timers_cancel_keeps_heap_after_swap),
        cmocka_unit_test(test_timers_rearm_moves),
        cmocka_unit_test(test_timers_run_due_only_due),
        cmocka_unit_test(test_timers_callback_rearms_itself),
        cmocka_unit_test(test_timers_callback_cancels_and_arms_others),
        cmocka_unit_test(test_timers_random_against_model),
        cmocka_unit_test(test_buf_init_and_append),
        cmocka_unit_test(test_buf_binary_data),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_vprintf),
        cmocka_unit_test(test_buf_reset),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_x_string_helpers),
        cmocka_unit_test(test_uuids_are_v4_and_distinct),
        cmocka_unit_test(test_random_bytes_are_not_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
