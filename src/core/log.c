/* log: leveled logging; one line per call, timestamped, to stderr: as text, or as one
 * JSON object a line (--log-format json) whose strings are valid JSON whatever the bytes
 * logged (a handler's output may be anything: bytes that are not UTF-8 become U+FFFD).
 * The server buffers debug and info lines for the rest of an event-loop pass
 * (log_buffer_lines); a kill -9 can lose only the lines of the pass it interrupts. */
#include "sqsemu/log.h"

#include "sqsemu/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static log_level current_level = LOG_INFO;
static log_format current_format = LOG_FORMAT_TEXT;
static bool buffering;
static char line_buffer[1 << 16];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level level)
{
    current_level = level;
}

bool log_parse_level(const char *name, log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (log_level)i;
            return true;
        }
    }
    if (strcmp(name, "warning") == 0) {
        *out = LOG_WARN;
        return true;
    }
    return false;
}

void log_set_format(log_format format)
{
    current_format = format;
}

bool log_parse_format(const char *name, log_format *out)
{
    if (strcmp(name, "text") == 0 || strcmp(name, "json") == 0) {
        *out = name[0] == 't' ? LOG_FORMAT_TEXT : LOG_FORMAT_JSON;
        return true;
    }
    return false;
}

bool log_enabled(log_level level)
{
    return level >= current_level;
}

void log_buffer_lines(void)
{
    if (!buffering)
        buffering = setvbuf(stderr, line_buffer, _IOFBF, sizeof line_buffer) == 0;
}

void log_flush(void)
{
    if (buffering)
        fflush(stderr);
}

/* The length of the well-formed UTF-8 sequence at s (no overlongs, no surrogates, at most
 * U+10FFFF), or 0 when the byte there does not start one. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) || (s[0] == 0xF0 && s[1] < 0x90) ||
        (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

/* Appends s as the inside of a JSON string to out (room for 6 bytes per byte of s). */
static size_t json_escape(char *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text), o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence(s + i, len - i);
        if (n == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3, i++;
        } else if (s[i] == '"' || s[i] == '\\') {
            out[o++] = '\\', out[o++] = (char)s[i++];
        } else if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
            out[o++] = '\\', out[o++] = s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : 'r', i++;
        } else if (s[i] < 0x20) {
            o += (size_t)sprintf(out + o, "\\u%04x", s[i++]);
        } else {
            memcpy(out + o, s + i, n);
            o += n, i += n;
        }
    }
    out[o] = '\0';
    return o;
}

static void write_json_line(const char *time, log_level level, const char *msg)
{
    static _Thread_local char line[4096 * 6 + 128];
    int n = snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", time, level_names[level]);
    if (n <= 0 || (size_t)n + strlen(msg) * 6 + 3 >= sizeof line)
        return;
    size_t o = (size_t)n + json_escape(line + n, msg);
    memcpy(line + o, "\"}\n", 4);
    fputs(line, stderr);
}

void log_msg(log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    int64_t now_ms = clock_real_ms();
    struct timespec ts = {.tv_sec = (time_t)(now_ms / 1000), .tv_nsec = (long)(now_ms % 1000) * 1000000};
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char time[128];
    snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (current_format == LOG_FORMAT_JSON)
        write_json_line(time, level, msg);
    else
        fprintf(stderr, "%s %-5s %s\n", time, level_names[level], msg);
    if (buffering && level >= LOG_WARN)
        fflush(stderr);
}
