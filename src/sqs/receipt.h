/* sqs/receipt: receipt handles: what a handle encodes and its opaque, authenticated text form. */
#ifndef SQSEMU_SQS_RECEIPT_H
#define SQSEMU_SQS_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECEIPT_KEY_BYTES 32

typedef struct receipt {
    int64_t queue_id;
    int64_t rowid;        /* the message's row */
    int64_t secret;       /* the message's secret: tells a reused row id from the message */
    int64_t receive_ms;   /* when this delivery happened (12-hour visibility cap) */
    int64_t receive_count;
} receipt;

/* Sets the key that authenticates handles (per data directory; see service.c). Until it is
 * called a random per-process key is used. */
void receipt_set_key(const unsigned char key[RECEIPT_KEY_BYTES]);
void receipt_free_key(void);

/* A new, unique handle text for r (malloc'd). */
char *receipt_encode(const receipt *r);
/* False when text is not a handle this server issued with its key: anything edited,
 * truncated, extended or made up, and any record whose fields are out of range. */
bool receipt_decode(const char *text, receipt *out);

#endif
