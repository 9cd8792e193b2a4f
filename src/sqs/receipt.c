/* sqs/receipt: receipt handles are base64 of a versioned 48-byte record plus random bytes,
 * so that every delivery gets a new handle. */
#include "receipt.h"

#include <stdlib.h>
#include <string.h>

#include "sqsemu/codec.h"
#include "sqsemu/ids.h"

#define RECEIPT_VERSION 0x5A
#define RECEIPT_BYTES 48

static void put64(unsigned char *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
}

static int64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

char *receipt_encode(const receipt *r)
{
    unsigned char raw[RECEIPT_BYTES];
    ids_random(raw, sizeof raw);
    raw[0] = RECEIPT_VERSION;
    put64(raw + 4, r->queue_id);
    put64(raw + 12, r->rowid);
    put64(raw + 20, r->secret);
    put64(raw + 28, r->receive_ms);
    put64(raw + 36, r->receive_count);
    return base64_encode(raw, sizeof raw);
}

bool receipt_decode(const char *text, receipt *out)
{
    size_t len = 0;
    unsigned char *raw = base64_decode(text, strlen(text), &len);
    bool ok = raw && len == RECEIPT_BYTES && raw[0] == RECEIPT_VERSION;
    if (ok) {
        out->queue_id = get64(raw + 4);
        out->rowid = get64(raw + 12);
        out->secret = get64(raw + 20);
        out->receive_ms = get64(raw + 28);
        out->receive_count = get64(raw + 36);
    }
    free(raw);
    return ok;
}
