/* fuzz_receipt: the receipt-handle decoder (receipt_decode, src/sqs/receipt.c) on any text a
 * client may send as a ReceiptHandle.
 *
 * Invariants beyond "no crash":
 *  - only text of the issued shape decodes (64 characters of standard base64);
 *  - what decodes re-encodes (receipt_encode) to a handle that decodes to the same fields.
 * Kept small on purpose: when handles gain an authentication key, only the two calls
 * below change. */
#include "fuzz_common.h"
#include "../../src/sqs/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    receipt r;
    memset(&r, 0, sizeof r);
    if (receipt_decode(text, &r)) {
        size_t n = strlen(text);
        FUZZ_CHECK(n == 64 && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == n,
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
