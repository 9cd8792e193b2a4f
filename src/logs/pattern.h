/* logs/pattern.h: FilterLogEvents' filter patterns for unstructured log events, the subset
 * sqsemu supports (docs/logs.md):
 *
 *   ERROR Exception       every term must appear (case-sensitive substrings)
 *   "Task timed out"      a quoted phrase is one term (\" and \\ escape inside quotes)
 *   ?ERROR ?WARN          at least one ?-term must appear (with the plain terms, if any)
 *   ERROR -Retrying       no -term may appear
 *   %[Ee]rror [0-9]+%     a %regex% term (POSIX extended, without ( and ), as AWS allows)
 *
 * An empty pattern (or only blanks) matches every event. JSON patterns ({ $.x = 1 }) and
 * space-delimited ones ([ip, user, ...]) are refused with a reason. */
#ifndef SQSEMU_LOGS_PATTERN_H
#define SQSEMU_LOGS_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct logs_pattern logs_pattern;

/* NULL with a reason in why when the pattern is malformed or not in the subset. */
logs_pattern *logs_pattern_parse(const char *text, char *why, size_t why_size);
/* message must be NUL-terminated at message[len]. */
bool logs_pattern_match(const logs_pattern *p, const char *message, size_t len);
void logs_pattern_free(logs_pattern *p);

#endif
