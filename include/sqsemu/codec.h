/* codec: byte-level encodings and digests (base64, hex, MD5, SHA-256) over OpenSSL. */
#ifndef SQSEMU_CODEC_H
#define SQSEMU_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#define MD5_HEX_LEN 33    /* 32 hex digits + NUL */
#define SHA256_HEX_LEN 65 /* 64 hex digits + NUL */

/* Standard base64 with padding. Returns a malloc'd NUL-terminated string. */
char *base64_encode(const void *data, size_t len);
/* Strict standard base64 (length a multiple of 4, '=' padding only at the end).
 * Returns a malloc'd buffer (NUL-terminated for convenience) or NULL when invalid. */
unsigned char *base64_decode(const char *text, size_t text_len, size_t *out_len);

/* The value of one hexadecimal digit, or -1. */
int hex_digit(char c);

void hex_encode(const unsigned char *data, size_t len, char *out);

/* Decodes %XX escapes of s[0..len); a '%' not followed by two hex digits stays as it is.
 * The result is malloc'd and NUL-terminated but may hold NUL bytes: *out_len (if not NULL)
 * is its length. */
char *percent_decode(const char *s, size_t len, size_t *out_len);

void md5_hex(const void *data, size_t len, char out[MD5_HEX_LEN]);
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

#endif
