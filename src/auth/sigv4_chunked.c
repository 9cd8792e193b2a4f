/* auth/sigv4_chunked: aws-chunked payloads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): the
 * framing "<hex size>;chunk-signature=<sig>\r\n<data>\r\n" ... ending with a chunk of size
 * 0, decoded into the payload. Each chunk signature signs the previous one (the seed is
 * the request's signature) and the chunk's SHA-256; the unverified decoder, for a server
 * that checks nothing, takes the framing with or without signatures. Stateless. */
#include "sigv4_internal.h"

#include <ctype.h>
#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"

#define CHUNK_ALGORITHM "AWS4-HMAC-SHA256-PAYLOAD"

static bool chunk_signature_ok(sigv4_chunk_signer *s, const char *data, size_t len, const char *provided)
{
    char hash[SHA256_HEX_LEN];
    sha256_hex(data, len, hash);
    buf_t sts;
    buf_init(&sts);
    buf_printf(&sts, CHUNK_ALGORITHM "\n%s\n%s\n%s\n" SIGV4_EMPTY_SHA256 "\n%s", s->timestamp, s->scope, s->previous,
               hash);
    char computed[SIGV4_SIG_HEX_LEN + 1];
    sigv4_sign_hex(s->key, sts.data, computed);
    buf_free(&sts);
    bool ok = sigv4_signature_equal(computed, provided);
    memcpy(s->previous, computed, sizeof computed);
    return ok;
}

char *sigv4_decode_chunked(const char *body, size_t len, sigv4_chunk_signer *signer, size_t *out_len,
                           const char **why, bool *bad_signature)
{
    buf_t out;
    buf_init(&out);
    size_t pos = 0;
    *bad_signature = false;
    for (;;) {
        const char *line = body + pos;
        const char *crlf = NULL;
        for (size_t i = pos; i + 1 < len; i++) {
            if (body[i] == '\r' && body[i + 1] == '\n') {
                crlf = body + i;
                break;
            }
        }
        if (!crlf) {
            *why = "a chunk header does not end with CRLF";
            goto bad;
        }
        size_t line_len = (size_t)(crlf - line);
        size_t size = 0, i = 0;
        for (; i < line_len && isxdigit((unsigned char)line[i]); i++) {
            if (i >= 15) {
                *why = "a chunk size is too large";
                goto bad;
            }
            size = size * 16 + (size_t)hex_digit(line[i]);
        }
        if (i == 0) {
            *why = "a chunk header does not start with a hexadecimal size";
            goto bad;
        }
        char signature[SIGV4_SIG_HEX_LEN + 1] = "";
        const char *ext = line + i;
        size_t ext_len = line_len - i;
        static const char prefix[] = ";chunk-signature=";
        if (ext_len >= strlen(prefix) && memcmp(ext, prefix, strlen(prefix)) == 0) {
            size_t sig_len = ext_len - strlen(prefix);
            if (sig_len != SIGV4_SIG_HEX_LEN) {
                *why = "a chunk signature is not 64 hexadecimal digits";
                goto bad;
            }
            memcpy(signature, ext + strlen(prefix), SIGV4_SIG_HEX_LEN);
        } else if (ext_len > 0 || signer) {
            *why = signer ? "a chunk header has no chunk-signature" : "a chunk header has an unknown extension";
            goto bad;
        }
        pos += line_len + 2;
        if (size > len - pos || len - pos - size < 2 || body[pos + size] != '\r' || body[pos + size + 1] != '\n') {
            *why = "a chunk's data is shorter than its size or not followed by CRLF";
            goto bad;
        }
        if (signer && !chunk_signature_ok(signer, body + pos, size, signature)) {
            *why = "a chunk signature does not match";
            *bad_signature = true;
            goto bad;
        }
        buf_append(&out, body + pos, size);
        pos += size + 2;
        if (size == 0) {
            if (pos != len) {
                *why = "data follows the final chunk";
                goto bad;
            }
            break;
        }
    }
    *out_len = out.len;
    return out.data ? buf_detach(&out, NULL) : xstrdup("");
bad:
    buf_free(&out);
    return NULL;
}

char *sigv4_decode_chunked_unverified(const char *body, size_t len, size_t *out_len)
{
    const char *why;
    bool bad_signature;
    return sigv4_decode_chunked(body, len, NULL, out_len, &why, &bad_signature);
}
