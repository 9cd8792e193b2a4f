/* admin/console_data: the admin API's listings for the console page (/_sqsemu/console):
 * every queue of every account and region with its counts and redrive links, and every
 * function with its runtime, state and execution environments. Both read the services'
 * in-memory registries (sqs_metrics_each, lambda_metrics_each) and change nothing; the
 * dead-letter links follow each queue's RedrivePolicy as AWS's SQS Developer Guide
 * describes it ("Using dead-letter queues in Amazon SQS"). */
#include <stdio.h>
#include <string.h>

#include "sqsemu/admin.h"
#include "sqsemu/clock.h"
#include "sqsemu/lambda.h"
#include "sqsemu/sqs.h"

/* ---- queues ---- */

typedef struct queue_pass {
    const admin_caller *caller;
    cJSON *queues;
} queue_pass;

static void add_queue(const sqs_queue_metrics *m, void *arg)
{
    queue_pass *p = arg;
    cJSON *q = cJSON_CreateObject();
    char url[1024];
    snprintf(url, sizeof url, "%s/%s/%s", p->caller->url_base, m->account, m->name);
    cJSON_AddStringToObject(q, "Name", m->name);
    cJSON_AddStringToObject(q, "Account", m->account);
    cJSON_AddStringToObject(q, "Region", m->region);
    cJSON_AddStringToObject(q, "Arn", m->arn);
    cJSON_AddStringToObject(q, "Url", url);
    cJSON_AddStringToObject(q, "Type", m->fifo ? "FIFO" : "Standard");
    cJSON_AddNumberToObject(q, "Visible", (double)m->visible);
    cJSON_AddNumberToObject(q, "InFlight", (double)m->in_flight);
    cJSON_AddNumberToObject(q, "Delayed", (double)m->delayed);
    if (m->dead_letter_arn) {
        cJSON_AddStringToObject(q, "DeadLetterTargetArn", m->dead_letter_arn);
        cJSON_AddNumberToObject(q, "MaxReceiveCount", m->max_receive_count);
    } else {
        cJSON_AddNullToObject(q, "DeadLetterTargetArn");
        cJSON_AddNullToObject(q, "MaxReceiveCount");
    }
    cJSON_AddBoolToObject(q, "Default",
                          strcmp(m->account, p->caller->account) == 0 && strcmp(m->region, p->caller->region) == 0);
    cJSON_AddArrayToObject(q, "RedriveSources");
    cJSON_AddItemToArray(p->queues, q);
}

static const char *member(const cJSON *o, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* Each queue's sources: the queues whose RedrivePolicy names it (ListDeadLetterSourceQueues). */
static void link_sources(cJSON *queues)
{
    const cJSON *source;
    cJSON_ArrayForEach(source, queues) {
        const char *target = member(source, "DeadLetterTargetArn");
        const cJSON *dlq;
        cJSON_ArrayForEach(dlq, queues) {
            if (target && strcmp(member(dlq, "Arn"), target) == 0)
                cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(dlq, "RedriveSources"),
                                     cJSON_CreateString(member(source, "Arn")));
        }
    }
}

cJSON *admin_queues(const admin_caller *c)
{
    cJSON *doc = cJSON_CreateObject();
    queue_pass p = {c, cJSON_AddArrayToObject(doc, "Queues")};
    sqs_metrics_each(clock_now_ms(), add_queue, &p);
    link_sources(p.queues);
    cJSON_AddStringToObject(doc, "DefaultAccount", c->account);
    cJSON_AddStringToObject(doc, "DefaultRegion", c->region);
    return doc;
}

/* ---- functions ---- */

static void add_function(const lambda_function_metrics *m, void *arg)
{
    const admin_caller *c = ((void **)arg)[0];
    cJSON *functions = ((void **)arg)[1];
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "FunctionName", m->name);
    cJSON_AddStringToObject(f, "Account", m->account);
    cJSON_AddStringToObject(f, "Region", m->region);
    cJSON_AddStringToObject(f, "FunctionArn", m->arn);
    if (m->runtime)
        cJSON_AddStringToObject(f, "Runtime", m->runtime);
    else
        cJSON_AddNullToObject(f, "Runtime");
    cJSON_AddStringToObject(f, "State", m->state ? m->state : "Active");
    cJSON_AddNumberToObject(f, "Environments", (double)m->environments);
    cJSON_AddNumberToObject(f, "Running", (double)m->running);
    cJSON_AddNumberToObject(f, "Invocations", (double)m->invocations);
    cJSON_AddNumberToObject(f, "Errors", (double)m->errors);
    cJSON_AddBoolToObject(f, "Default", strcmp(m->account, c->account) == 0 && strcmp(m->region, c->region) == 0);
    cJSON_AddItemToArray(functions, f);
}

cJSON *admin_functions(const admin_caller *c)
{
    cJSON *doc = cJSON_CreateObject();
    void *pass[2] = {(void *)c, cJSON_AddArrayToObject(doc, "Functions")};
    lambda_metrics_each(add_function, NULL, pass);
    cJSON_AddStringToObject(doc, "DefaultAccount", c->account);
    cJSON_AddStringToObject(doc, "DefaultRegion", c->region);
    return doc;
}
