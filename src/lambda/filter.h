/* lambda/filter: FilterCriteria of event-source mappings: parsing and validating one
 * pattern (the EventBridge pattern language as Lambda uses it) and matching SQS records. */
#ifndef SQSEMU_LAMBDA_FILTER_H
#define SQSEMU_LAMBDA_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct event_filter event_filter;

/* Parses one pattern (the JSON text of FilterCriteria.Filters[].Pattern). Returns NULL when
 * it is not a valid pattern (not a JSON object, a leaf that is not a non-empty array,
 * a malformed or unsupported operator ...). */
event_filter *filter_parse(const char *pattern_json);
void filter_free(event_filter *f);

/* True when record (an SQS event record object as delivered to handlers: messageId,
 * receiptHandle, body (a string), attributes, messageAttributes, md5OfBody, ...) matches.
 * A "body" sub-pattern that is an object matches inside the body parsed as JSON (only when
 * the body is a JSON object or array); a "body" leaf array matches the raw body string. */
bool filter_matches(const event_filter *f, const cJSON *record);

#endif
