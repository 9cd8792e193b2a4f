/* sqs/receipt: receipt handles: what a handle encodes and its opaque text form. */
#ifndef SQSEMU_SQS_RECEIPT_H
#define SQSEMU_SQS_RECEIPT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct receipt {
    int64_t queue_id;
    int64_t rowid;        /* the message's row */
    int64_t secret;       /* the message's secret: proves the handle was issued here */
    int64_t receive_ms;   /* when this delivery happened (12-hour visibility cap) */
    int64_t receive_count;
} receipt;

/* A new, unique handle text for r (malloc'd). */
char *receipt_encode(const receipt *r);
/* False when text is not a handle this server could have issued. */
bool receipt_decode(const char *text, receipt *out);

#endif
