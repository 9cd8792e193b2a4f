/* auth/sigv4_internal: what sigv4.c, sigv4_canonical.c and sigv4_chunked.c share beyond
 * the public include/sqsemu/sigv4.h. */
#ifndef SQSEMU_AUTH_SIGV4_INTERNAL_H
#define SQSEMU_AUTH_SIGV4_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqsemu/buf.h"
#include "sqsemu/sigv4.h"

#define SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_SIG_HEX_LEN 64

/* ---- sigv4_canonical.c ---- */

/* White space as trimming sees it (space, \t, \r, \n, \v, \f). */
bool sigv4_is_space(char c);
/* Percent-encodes every byte but the unreserved ones (and '/', when keep_slash). */
void sigv4_uri_encode(buf_t *out, const char *s, size_t len, bool keep_slash);
/* The decoded value of the first query parameter called `name`, malloc'd, or NULL. */
char *sigv4_query_param(const char *raw_query, const char *name);
/* An HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT"), the fallback of X-Amz-Date. */
bool sigv4_parse_http_date(const char *text, int64_t *out);
/* Trimall: no leading or trailing white space, inner runs of it as one space. */
void sigv4_trim_all(buf_t *out, const char *value);
/* The canonical request of req signing signed_headers (as listed in the signature) with
 * payload_hash; without X-Amz-Signature in the query when presigned. malloc'd. */
char *sigv4_canonical_request(const sigv4_request *req, const char *signed_headers, bool presigned,
                              const char *payload_hash);
/* "AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex SHA-256 of canonical>", malloc'd. */
char *sigv4_string_to_sign(const char *timestamp, const char *scope, const char *canonical);
/* Hex HMAC-SHA256 of msg under a signing key. */
void sigv4_sign_hex(const unsigned char key[32], const char *msg, char out[SIGV4_SIG_HEX_LEN + 1]);
/* Constant-time equality of a computed signature and the one provided. */
bool sigv4_signature_equal(const char computed[SIGV4_SIG_HEX_LEN + 1], const char *provided);

/* ---- sigv4_chunked.c ---- */

/* The state of a chunk-signature chain: each chunk signs the previous signature. */
typedef struct sigv4_chunk_signer {
    const unsigned char *key; /* the request's signing key */
    const char *timestamp;
    const char *scope;
    char previous[SIGV4_SIG_HEX_LEN + 1]; /* the request's signature at first */
} sigv4_chunk_signer;

/* Decodes "<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n" ... "0[;...]\r\n\r\n".
 * With a signer every chunk must carry a valid signature. Returns the malloc'd payload
 * (its length in *out_len); on failure returns NULL and sets *why (and *bad_signature
 * when a chunk signature did not verify). */
char *sigv4_decode_chunked(const char *body, size_t len, sigv4_chunk_signer *signer, size_t *out_len,
                           const char **why, bool *bad_signature);

#endif
