/* utf8: validation of UTF-8 text against the character set SQS allows in messages. */
#ifndef SQSEMU_UTF8_H
#define SQSEMU_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/buf.h"

/* True when s[0..len) is well-formed UTF-8 whose code points are all in
 * #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
bool utf8_is_sqs_text(const char *s, size_t len);

/* True when s[0..len) is well-formed UTF-8 (no surrogates, no overlongs). */
bool utf8_is_valid(const char *s, size_t len);

/* Appends to out a copy of s[0..len) that is well-formed UTF-8 and at most max bytes: every
 * byte that does not start a well-formed character becomes U+FFFD, and the text is cut on
 * a character boundary. Returns the number of bytes appended. */
size_t utf8_append_repaired(buf_t *out, const char *s, size_t len, size_t max);

/* True when s[0..len) is well-formed UTF-8 made only of Unicode letters and digits (by the
 * C.UTF-8 locale's classification, ASCII letters and digits where that locale is missing)
 * and the ASCII characters listed in extra. */
bool utf8_is_word(const char *s, size_t len, const char *extra);

#endif
