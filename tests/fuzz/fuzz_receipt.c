/* fuzz_receipt: the receipt-handle decoder (receipt_decode, src/sqs/receipt.c) on any text a
 * client may send as a ReceiptHandle.
 *
 * Handles are keyed with 32 bytes of 0x5A here, the key make_corpus.py signs its seeds
 * with, so that valid handles reach the field checks.
 *
 * Invariants beyond "no crash":
 *  - only text of the issued shape decodes (112 characters of standard base64);
 *  - what decodes re-encodes (receipt_encode) to a handle that decodes to the same fields,
 *    and its fields are in range (a receive time that cannot overflow the 12-hour cap). */
#include "fuzz_common.h"
#include "../../src/sqs/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool keyed;
    if (!keyed) {
        unsigned char key[RECEIPT_KEY_BYTES];
        memset(key, 0x5A, sizeof key);
        receipt_set_key(key);
        keyed = true;
    }
    char *text = fuzz_strndup(data, size);
    receipt r;
    memset(&r, 0, sizeof r);
    if (receipt_decode(text, &r)) {
        size_t n = strlen(text);
        FUZZ_CHECK(r.receive_ms >= 0 && r.receive_ms <= (INT64_C(1) << 50) && r.receive_count >= 1,
                   "decoded a handle with out-of-range fields: %s", text);
        FUZZ_CHECK(n == 112 && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == n,
                   "decoded a handle of an unexpected shape: %s", text);
        char *again = receipt_encode(&r);
        receipt back;
        memset(&back, 0, sizeof back);
        FUZZ_CHECK(receipt_decode(again, &back), "re-encoded handle does not decode: %s", again);
        FUZZ_CHECK(memcmp(&r, &back, sizeof r) == 0, "re-encoded handle decodes to other fields: %s", again);
        free(again);
    }
    free(text);
    return 0;
}
