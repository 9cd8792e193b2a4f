/* utf8: strict UTF-8 decoding, the SQS allowed-character check, and repairing text that is
 * not UTF-8 (what a handler prints) into text that is. */
#include "sqsemu/utf8.h"

#include <ctype.h>
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

/* Decodes one code point at s[*i]; returns -1 on malformed input. */
static int32_t next_code_point(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    int extra;
    int32_t cp;
    int32_t min;
    if ((c & 0xE0) == 0xC0) {
        extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (*i + (size_t)extra >= len)
        return -1;
    for (int k = 1; k <= extra; k++) {
        unsigned char cc = s[*i + (size_t)k];
        if ((cc & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *i += (size_t)extra + 1;
    return cp;
}

static bool sqs_allowed(int32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool utf8_is_sqs_text(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        int32_t cp = next_code_point(u, len, &i);
        if (cp < 0 || !sqs_allowed(cp))
            return false;
    }
    return true;
}

bool utf8_is_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (next_code_point(u, len, &i) < 0)
            return false;
    }
    return true;
}

/* The end of the run of ASCII bytes from u[i] on (eight at a time where it can). */
static size_t ascii_run_end(const unsigned char *u, size_t i, size_t len)
{
    while (i + 8 <= len) {
        uint64_t word;
        memcpy(&word, u + i, sizeof word);
        if (word & 0x8080808080808080ULL)
            break;
        i += 8;
    }
    while (i < len && u[i] < 0x80)
        i++;
    return i;
}

size_t utf8_append_repaired(buf_t *out, const char *s, size_t len, size_t max)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    const size_t replacement_len = sizeof replacement - 1;
    const unsigned char *u = (const unsigned char *)s;
    size_t written = 0; /* bytes appended so far */
    size_t run = 0;     /* start of the well-formed run not yet appended */
    size_t i = 0;
    while (i < len) {
        size_t room = max - written - (i - run); /* what the output can still take */
        size_t end = ascii_run_end(u, i, len);
        if (end > i) {
            i = end - i > room ? i + room : end;
            if (i < end)
                break;
            continue;
        }
        size_t at = i;
        bool good = next_code_point(u, len, &i) >= 0;
        size_t step = good ? i - at : replacement_len;
        if (step > room) {
            i = at;
            break;
        }
        if (!good) {
            buf_append(out, s + run, at - run);
            buf_append(out, replacement, replacement_len);
            written += at - run + replacement_len;
            i = run = at + 1;
        }
    }
    buf_append(out, s + run, i - run);
    return written + (i - run);
}

/* Unicode character classes come from glibc's C.UTF-8 locale, opened once and used through
 * the *_l functions so the process locale is never changed. */
static bool code_point_is_alnum(int32_t cp)
{
    static locale_t unicode = (locale_t)0;
    static bool tried = false;
    if (!tried) {
        tried = true;
        unicode = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    }
    if (cp < 0x80)
        return isalnum(cp);
    return unicode != (locale_t)0 && iswalnum_l((wint_t)cp, unicode);
}

bool utf8_is_word(const char *s, size_t len, const char *extra)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        int32_t cp = next_code_point(u, len, &i);
        if (cp < 0)
            return false;
        if (!code_point_is_alnum(cp) && !(cp < 0x80 && cp != 0 && strchr(extra, (int)cp)))
            return false;
    }
    return true;
}
