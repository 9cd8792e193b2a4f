/* log: leveled, line-oriented logging to stderr, as text or as JSON lines. */
#ifndef SQSEMU_LOG_H
#define SQSEMU_LOG_H

#include <stdbool.h>

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;
/* text: "<time> <level> <message>"; json: {"time":...,"level":...,"msg":...} a line. */
typedef enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON } log_format;

void log_set_level(log_level level);
/* Parses "debug", "info", "warn" or "error"; false on anything else. */
bool log_parse_level(const char *name, log_level *out);
void log_set_format(log_format format);
/* Parses "text" or "json"; false on anything else. */
bool log_parse_format(const char *name, log_format *out);
bool log_enabled(log_level level);
/* Holds debug and info lines in a buffer until log_flush (the event loop flushes before
 * it sleeps, so a line is written at the latest when the pass that logged it ends: one
 * write for all the request lines of a busy pass). Warnings and errors are written at once. */
void log_buffer_lines(void);
void log_flush(void);
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
