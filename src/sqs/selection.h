/* sqs/selection: which attributes a ReceiveMessage asks for (AttributeNames,
 * MessageSystemAttributeNames, MessageAttributeNames), prepared once per call. */
#ifndef SQSEMU_SQS_SELECTION_H
#define SQSEMU_SQS_SELECTION_H

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef struct attribute_selection attribute_selection;

/* Builds the selection from the request's three name lists (any may be NULL), in time
 * linear in the number of names. */
attribute_selection *selection_prepare(const cJSON *system_names, const cJSON *system_names2,
                                       const cJSON *attribute_names);
void selection_free(void *selection);

/* Is the system attribute (SenderId, SentTimestamp, ...) selected? */
bool selection_wants_system(const attribute_selection *s, const char *name);
/* Does any message attribute name or prefix pattern ("All", ".*", "bar.*") select name? */
bool selection_wants_attribute(const attribute_selection *s, const char *name);
/* True when no message attribute can be selected. */
bool selection_no_attributes(const attribute_selection *s);

#endif
