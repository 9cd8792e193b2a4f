/* sqs/receipt: receipt handles.
 *
 * A handle is base64 of an 84-byte record: a version byte, 3 random bytes, the queue id,
 * the message's row id and secret, the time and number of this delivery, 8 random bytes
 * (so that every delivery gets a new handle), then an HMAC-SHA256 over all of that with a
 * key kept in the data directory's store. A client can read a handle but not make or edit
 * one: anything that does not carry a valid MAC is ReceiptHandleIsInvalid, so the fields
 * a decoded handle yields can be trusted (the 12-hour visibility cap is computed from
 * receive_ms). The fields are range-checked all the same. */
#include "receipt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sqsemu/codec.h"
#include "sqsemu/ids.h"

#define RECEIPT_VERSION 0x5B
#define RECEIPT_BODY_BYTES 52
#define RECEIPT_MAC_BYTES 32
#define RECEIPT_BYTES (RECEIPT_BODY_BYTES + RECEIPT_MAC_BYTES)
/* Largest receive time accepted: far beyond any clock, far below overflow of + 12 hours. */
#define RECEIPT_MAX_MS (INT64_C(1) << 50)

static EVP_MAC *mac_algorithm;
static EVP_MAC_CTX *mac_template; /* keyed once; duplicated per handle */

void receipt_set_key(const unsigned char key[RECEIPT_KEY_BYTES])
{
    receipt_free_key();
    mac_algorithm = EVP_MAC_fetch(NULL, "HMAC", NULL);
    mac_template = mac_algorithm ? EVP_MAC_CTX_new(mac_algorithm) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (!mac_template || !EVP_MAC_init(mac_template, key, RECEIPT_KEY_BYTES, params))
        abort();
}

void receipt_free_key(void)
{
    EVP_MAC_CTX_free(mac_template);
    EVP_MAC_free(mac_algorithm);
    mac_template = NULL;
    mac_algorithm = NULL;
}

static void ensure_key(void)
{
    if (mac_template)
        return;
    unsigned char key[RECEIPT_KEY_BYTES];
    ids_random(key, sizeof key);
    receipt_set_key(key);
    OPENSSL_cleanse(key, sizeof key);
}

static void compute_mac(const unsigned char *body, unsigned char out[RECEIPT_MAC_BYTES])
{
    ensure_key();
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(mac_template);
    size_t len = 0;
    if (!ctx || !EVP_MAC_update(ctx, body, RECEIPT_BODY_BYTES) || !EVP_MAC_final(ctx, out, &len, RECEIPT_MAC_BYTES) ||
        len != RECEIPT_MAC_BYTES)
        abort();
    EVP_MAC_CTX_free(ctx);
}

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
    ids_random(raw, RECEIPT_BODY_BYTES);
    raw[0] = RECEIPT_VERSION;
    put64(raw + 4, r->queue_id);
    put64(raw + 12, r->rowid);
    put64(raw + 20, r->secret);
    put64(raw + 28, r->receive_ms);
    put64(raw + 36, r->receive_count);
    compute_mac(raw, raw + RECEIPT_BODY_BYTES);
    return base64_encode(raw, sizeof raw);
}

static bool fields_in_range(const receipt *r)
{
    return r->queue_id > 0 && r->rowid > 0 && r->receive_count >= 1 && r->receive_ms >= 0 &&
           r->receive_ms <= RECEIPT_MAX_MS;
}

bool receipt_decode(const char *text, receipt *out)
{
    size_t len = 0;
    unsigned char *raw = text ? base64_decode(text, strlen(text), &len) : NULL;
    bool ok = raw && len == RECEIPT_BYTES && raw[0] == RECEIPT_VERSION;
    if (ok) {
        unsigned char mac[RECEIPT_MAC_BYTES];
        compute_mac(raw, mac);
        ok = CRYPTO_memcmp(mac, raw + RECEIPT_BODY_BYTES, RECEIPT_MAC_BYTES) == 0;
    }
    receipt r = {0};
    if (ok) {
        r.queue_id = get64(raw + 4);
        r.rowid = get64(raw + 12);
        r.secret = get64(raw + 20);
        r.receive_ms = get64(raw + 28);
        r.receive_count = get64(raw + 36);
        ok = fields_in_range(&r);
    }
    if (ok)
        *out = r;
    free(raw);
    return ok;
}
