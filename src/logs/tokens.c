/* logs/tokens: the paging tokens and event ids of the Logs API. A position token is
 * "<kind>/<56 digits>/s" (the digits: an event's timestamp, 19 of them, then its id, 37),
 * shaped like AWS's GetLogEvents tokens; the kinds are f and b (GetLogEvents forward and
 * backward), e (FilterLogEvents) and t (DescribeLogStreams by last event time). A name
 * token is "<kind>/<hex of the name>". Clients treat them as opaque; a token that does not
 * parse is an InvalidParameterException for the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sqsemu/codec.h"

#define TIME_DIGITS 19
#define ID_DIGITS 37
#define MAX_NAME_BYTES 1024

void token_position(char kind, const log_position *p, char *out, size_t size)
{
    snprintf(out, size, "%c/%0*lld%0*lld/s", kind, TIME_DIGITS, (long long)p->timestamp_ms, ID_DIGITS,
             (long long)p->id);
}

void token_event_id(const log_position *p, char out[57])
{
    snprintf(out, 57, "%0*lld%0*lld", TIME_DIGITS, (long long)p->timestamp_ms, ID_DIGITS, (long long)p->id);
}

/* n decimal digits at s as a non-negative int64; false on a non-digit or overflow. */
static bool parse_digits(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool token_parse_position(const char *token, char *kind, log_position *out)
{
    size_t len = strlen(token);
    if (len != 2 + TIME_DIGITS + ID_DIGITS + 2 || token[1] != '/' || strcmp(token + len - 2, "/s") != 0)
        return false;
    *kind = token[0];
    return parse_digits(token + 2, TIME_DIGITS, &out->timestamp_ms) &&
           parse_digits(token + 2 + TIME_DIGITS, ID_DIGITS, &out->id);
}

char *token_name(char kind, const char *name)
{
    size_t len = strlen(name);
    char *out = xmalloc(2 + 2 * len + 1);
    out[0] = kind;
    out[1] = '/';
    hex_encode((const unsigned char *)name, len, out + 2);
    out[2 + 2 * len] = '\0';
    return out;
}

char *token_parse_name(char kind, const char *token)
{
    size_t len = strlen(token);
    if (len < 4 || token[0] != kind || token[1] != '/' || (len - 2) % 2 || (len - 2) / 2 > MAX_NAME_BYTES)
        return NULL;
    size_t n = (len - 2) / 2;
    char *name = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(token[2 + 2 * i]), lo = hex_digit(token[3 + 2 * i]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(name);
            return NULL;
        }
        name[i] = (char)(hi * 16 + lo);
    }
    name[n] = '\0';
    return name;
}
