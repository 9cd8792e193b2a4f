/* admin/metrics: every metric in Prometheus's text exposition format (version 0.0.4):
 * per queue the messages by state and the message counters, per event-source mapping the
 * EventCount metrics AWS publishes for it, per function its invocations, errors, throttles
 * and duration. Counters count since start-up. Label values are escaped as the format
 * asks (backslash, double quote, newline). */
#include <stdio.h>
#include <string.h>

#include "sqsemu/admin.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/http.h"
#include "sqsemu/lambda.h"
#include "sqsemu/sqs.h"

typedef struct family {
    const char *name;
    const char *type; /* gauge, counter */
    const char *help;
} family;

static const family queue_families[] = {
    {"sqsemu_queue_messages", "gauge", "Messages in the queue by state (visible, in_flight, delayed)."},
    {"sqsemu_queue_messages_sent_total", "counter", "Messages stored by SendMessage and SendMessageBatch."},
    {"sqsemu_queue_messages_received_total", "counter", "Message deliveries by ReceiveMessage."},
    {"sqsemu_queue_messages_deleted_total", "counter", "Messages deleted by DeleteMessage and DeleteMessageBatch."},
    {"sqsemu_queue_messages_moved_to_dlq_total", "counter", "Messages moved to the dead-letter queue by redrive."},
};

static const family mapping_families[] = {
    {"sqsemu_mapping_polled_events_total", "counter", "PolledEventCount: records the mapping received."},
    {"sqsemu_mapping_filtered_out_events_total", "counter", "FilteredOutEventCount: records no filter matched."},
    {"sqsemu_mapping_invoked_events_total", "counter", "InvokedEventCount: records sent to the function."},
    {"sqsemu_mapping_failed_invoke_events_total", "counter", "FailedInvokeEventCount: records whose invocation "
                                                             "failed or that the function reported as failed."},
    {"sqsemu_mapping_deleted_events_total", "counter", "DeletedEventCount: records deleted after processing."},
};

static const family function_families[] = {
    {"sqsemu_function_invocations_total", "counter", "Invocations of the function (Invocations)."},
    {"sqsemu_function_errors_total", "counter", "Invocations that failed (Errors)."},
    {"sqsemu_function_throttles_total", "counter", "Throttled invocations (Throttles: over reserved concurrency)."},
    {"sqsemu_function_duration_seconds_total", "counter", "Total run time of the invocations, in seconds."},
};

static const family store_families[] = {
    {"sqsemu_store_commit_groups_total", "counter", "Store transactions committed for a group of API requests."},
    {"sqsemu_store_group_requests_total", "counter", "API requests answered after one of those group commits."},
};

static void put_escaped(buf_t *b, const char *value)
{
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            buf_putc(b, '\\'), buf_putc(b, *p);
        else if (*p == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *p);
    }
}

static void put_header(buf_t *b, const family *f)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
}

/* ---- queues: each family's samples are written together, so the output is grouped ---- */

typedef struct queue_pass {
    buf_t *out;
    int family;
} queue_pass;

static void queue_labels(buf_t *b, const sqs_queue_metrics *m)
{
    buf_puts(b, "{queue=\"");
    put_escaped(b, m->name);
    buf_puts(b, "\",account=\"");
    put_escaped(b, m->account);
    buf_puts(b, "\",region=\"");
    put_escaped(b, m->region);
    buf_putc(b, '"');
}

static void queue_sample(const sqs_queue_metrics *m, void *arg)
{
    queue_pass *p = arg;
    const char *name = queue_families[p->family].name;
    if (p->family == 0) {
        const char *states[] = {"visible", "in_flight", "delayed"};
        int64_t values[] = {m->visible, m->in_flight, m->delayed};
        for (int i = 0; i < 3; i++) {
            buf_puts(p->out, name);
            queue_labels(p->out, m);
            buf_printf(p->out, ",state=\"%s\"} %lld\n", states[i], (long long)values[i]);
        }
        return;
    }
    uint64_t values[] = {0, m->stats.sent, m->stats.received, m->stats.deleted, m->stats.moved_to_dlq};
    buf_puts(p->out, name);
    queue_labels(p->out, m);
    buf_printf(p->out, "} %llu\n", (unsigned long long)values[p->family]);
}

/* ---- mappings and functions ---- */

typedef struct lambda_pass {
    buf_t *out;
    int family;
} lambda_pass;

static void mapping_sample(const lambda_mapping_metrics *m, void *arg)
{
    lambda_pass *p = arg;
    uint64_t values[] = {m->polled, m->filtered_out, m->invoked, m->failed_invoke, m->deleted};
    buf_puts(p->out, mapping_families[p->family].name);
    buf_puts(p->out, "{uuid=\"");
    put_escaped(p->out, m->uuid);
    buf_puts(p->out, "\",function_arn=\"");
    put_escaped(p->out, m->function_arn);
    buf_puts(p->out, "\",event_source_arn=\"");
    put_escaped(p->out, m->source_arn);
    buf_printf(p->out, "\"} %llu\n", (unsigned long long)values[p->family]);
}

static void function_sample(const lambda_function_metrics *m, void *arg)
{
    lambda_pass *p = arg;
    buf_puts(p->out, function_families[p->family].name);
    buf_puts(p->out, "{function=\"");
    put_escaped(p->out, m->name);
    buf_puts(p->out, "\",account=\"");
    put_escaped(p->out, m->account);
    buf_puts(p->out, "\",region=\"");
    put_escaped(p->out, m->region);
    buf_puts(p->out, "\"} ");
    if (p->family == 3) {
        buf_printf(p->out, "%.6f\n", m->duration_ms_sum / 1000.0);
        return;
    }
    uint64_t values[] = {m->invocations, m->errors, m->throttles};
    buf_printf(p->out, "%llu\n", (unsigned long long)values[p->family]);
}

char *admin_metrics(size_t *len)
{
    buf_t b;
    buf_init(&b);
    int64_t now = clock_now_ms();
    for (int i = 0; i < (int)(sizeof queue_families / sizeof queue_families[0]); i++) {
        put_header(&b, &queue_families[i]);
        queue_pass p = {&b, i};
        sqs_metrics_each(now, queue_sample, &p);
    }
    for (int i = 0; i < (int)(sizeof mapping_families / sizeof mapping_families[0]); i++) {
        put_header(&b, &mapping_families[i]);
        lambda_pass p = {&b, i};
        lambda_metrics_each(NULL, mapping_sample, &p);
    }
    for (int i = 0; i < (int)(sizeof function_families / sizeof function_families[0]); i++) {
        put_header(&b, &function_families[i]);
        lambda_pass p = {&b, i};
        lambda_metrics_each(function_sample, NULL, &p);
    }
    size_t counts[2];
    http_commit_group_counts(&counts[0], &counts[1]);
    for (int i = 0; i < 2; i++) {
        put_header(&b, &store_families[i]);
        buf_printf(&b, "%s %zu\n", store_families[i].name, counts[i]);
    }
    return buf_detach(&b, len);
}
