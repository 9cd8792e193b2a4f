/* sqs/selection: the attribute selection of a ReceiveMessage.
 *
 * A request may carry very long name lists (a 600,000-name list once took seconds of the
 * event loop, because every delivered message compared each of its attributes with every
 * name). The lists are read once: system attribute names become a bit set, message
 * attribute names a hash set of exact names and one of prefixes ("bar.*" selects names
 * starting with "bar"), so answering costs O(1) per attribute (O(length) for prefixes). A pending long
 * poll keeps its prepared selection for every re-run (see sqs_ctx.prepared). */
#include "selection.h"

#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/strset.h"

static const char *const system_attributes[] = {
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader",
    "MessageGroupId", "SequenceNumber", "MessageDeduplicationId", "DeadLetterQueueSourceArn",
};
#define SYSTEM_COUNT (sizeof system_attributes / sizeof system_attributes[0])

struct attribute_selection {
    unsigned system_mask;
    bool all_attributes;
    strset exact;    /* names selected as they are */
    strset prefixes; /* "bar" for a pattern "bar.*" */
};

static void add_system(attribute_selection *s, const cJSON *names)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, names)
    {
        const char *name = cJSON_GetStringValue(item);
        if (!name)
            continue;
        if (strcmp(name, "All") == 0) {
            s->system_mask = (1u << SYSTEM_COUNT) - 1;
            return;
        }
        for (size_t i = 0; i < SYSTEM_COUNT; i++) {
            if (strcmp(name, system_attributes[i]) == 0)
                s->system_mask |= 1u << i;
        }
    }
}

static void add_attribute_names(attribute_selection *s, const cJSON *names)
{
    /* The sets point into the request's own strings, which outlive the selection. */
    const cJSON *item;
    cJSON_ArrayForEach(item, names)
    {
        const char *name = cJSON_GetStringValue(item);
        if (!name)
            continue;
        size_t len = strlen(name);
        if (strcmp(name, "All") == 0 || strcmp(name, ".*") == 0 || strcmp(name, "*") == 0) {
            s->all_attributes = true;
            return;
        }
        if (len >= 2 && name[len - 2] == '.' && name[len - 1] == '*')
            strset_add(&s->prefixes, name, len - 2);
        else
            strset_add(&s->exact, name, len);
    }
}

attribute_selection *selection_prepare(const cJSON *system_names, const cJSON *system_names2,
                                       const cJSON *attribute_names)
{
    attribute_selection *s = xcalloc(1, sizeof *s);
    strset_init(&s->exact);
    strset_init(&s->prefixes);
    add_system(s, system_names);
    add_system(s, system_names2);
    add_attribute_names(s, attribute_names);
    return s;
}

void selection_free(void *p)
{
    attribute_selection *s = p;
    if (!s)
        return;
    strset_free(&s->exact);
    strset_free(&s->prefixes);
    free(s);
}

bool selection_wants_system(const attribute_selection *s, const char *name)
{
    for (size_t i = 0; i < SYSTEM_COUNT; i++) {
        if (strcmp(name, system_attributes[i]) == 0)
            return (s->system_mask >> i) & 1u;
    }
    return false;
}

bool selection_wants_attribute(const attribute_selection *s, const char *name)
{
    if (s->all_attributes)
        return true;
    size_t len = strlen(name);
    if (strset_contains(&s->exact, name, len))
        return true;
    for (size_t n = 0; n <= len && s->prefixes.count; n++) {
        if (strset_contains(&s->prefixes, name, n))
            return true;
    }
    return false;
}

bool selection_no_attributes(const attribute_selection *s)
{
    return !s->all_attributes && s->exact.count == 0 && s->prefixes.count == 0;
}
