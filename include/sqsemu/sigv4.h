/* sigv4: AWS Signature Version 4 verification, and the signing of presigned URLs.
 *
 * Pure: it knows nothing of HTTP libraries, clocks or configuration. A caller hands it
 * the request as it came off the wire (method, raw path, raw query string, a header
 * lookup, the body), the current time and a key table; it answers with the verified key
 * or an error kind and AWS's message. The canonical request follows what botocore and
 * the JS SDK sign for every service but S3: the raw path, normalized (dot segments and
 * empty segments removed) and URI-encoded once more; the query string decoded and
 * re-encoded in the strict form, sorted; trimmed header values; the body's SHA-256 or
 * the x-amz-content-sha256 value (also UNSIGNED-PAYLOAD and the signed aws-chunked
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD, whose chunks are verified and decoded). */
#ifndef SQSEMU_SIGV4_H
#define SQSEMU_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_MAX_EXPIRES 604800 /* a presigned URL lives at most 7 days */

typedef struct sigv4_key {
    char *access_key;
    char *secret;
    char account[16]; /* 12 digits, or "" when the key names no account */
} sigv4_key;

typedef struct sigv4_keys {
    sigv4_key *items;
    size_t count;
} sigv4_keys;

const sigv4_key *sigv4_keys_find(const sigv4_keys *keys, const char *access_key);

/* The index-th value (0-based, in request order) of header `name` (given in lower
 * case; matching must ignore case), or NULL when there are fewer. */
typedef const char *(*sigv4_header_fn)(void *ctx, const char *name, size_t index);

typedef struct sigv4_request {
    const char *method;
    const char *path;    /* raw request path, exactly as on the request line */
    const char *query;   /* raw query string without the '?', "" when none */
    sigv4_header_fn header;
    void *header_ctx;
    const char *body;
    size_t body_len;
    int64_t now;         /* seconds since the epoch */
    const char *service; /* the service the credential scope must name; NULL = any */
    int max_skew;        /* seconds a signature's date may lie before or after now */
} sigv4_request;

typedef enum sigv4_status {
    SIGV4_OK = 0,
    SIGV4_MISSING,     /* no Authorization header and no X-Amz-* query-string signature */
    SIGV4_INCOMPLETE,  /* signature information malformed or incomplete */
    SIGV4_UNKNOWN_KEY, /* the access key id is not in the key table */
    SIGV4_MISMATCH,    /* wrong signature, chunk signature, scope or payload hash */
    SIGV4_SKEWED,      /* the date is more than max_skew before or after now */
    SIGV4_EXPIRED,     /* a presigned URL used after its X-Amz-Expires */
} sigv4_status;

typedef struct sigv4_result {
    sigv4_status status;
    char *message;           /* malloc'd: AWS's text for the error ("" when OK) */
    char *canonical_request; /* malloc'd when a signature comparison failed, else NULL */
    char *string_to_sign;    /* likewise */
    const sigv4_key *key;    /* OK: the key that verified */
    char access_key[129];    /* from the credential scope, when it could be read */
    char region[64];
    char service[64];
    bool presigned;          /* query-string signature */
    bool body_decoded;       /* an aws-chunked body was verified and decoded: */
    char *decoded_body;      /* malloc'd decoded payload */
    size_t decoded_len;
} sigv4_result;

/* Verifies one request. Returns out->status; the caller frees out with sigv4_result_free. */
sigv4_status sigv4_verify(const sigv4_request *req, const sigv4_keys *keys, sigv4_result *out);
void sigv4_result_free(sigv4_result *r);

/* Decodes an aws-chunked body without checking chunk signatures (for a server that
 * verifies nothing). Returns a malloc'd payload, or NULL when the framing is malformed. */
char *sigv4_decode_chunked_unverified(const char *body, size_t len, size_t *out_len);

/* A presigned GET: returns the whole query string to use (the existing raw query, if
 * any, then the X-Amz-* parameters and X-Amz-Signature), malloc'd. */
typedef struct sigv4_presign {
    const char *method;
    const char *host;  /* the Host header the URL will be fetched with */
    const char *path;  /* raw path */
    const char *query; /* raw query string to keep, "" when none */
    const char *access_key;
    const char *secret;
    const char *region;
    const char *service;
    int64_t now;
    long expires;
} sigv4_presign;
char *sigv4_presign_query(const sigv4_presign *p);

/* ---- building blocks (exposed for the unit tests) ---- */

/* Canonical URI of a raw path (normalized, then URI-encoded once more); malloc'd. */
char *sigv4_canonical_uri(const char *raw_path);
/* Canonical query string of a raw query; without X-Amz-Signature when presigned. malloc'd. */
char *sigv4_canonical_query(const char *raw_query, bool presigned);
/* "YYYYMMDDTHHMMSSZ" <-> seconds since the epoch. */
bool sigv4_parse_time(const char *text, int64_t *out);
void sigv4_format_time(int64_t t, char out[17]);
/* kSigning = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request". */
void sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
                       unsigned char out[32]);

#endif
