/* auth/sigv4: AWS Signature Version 4 verification and presigning: reading the signature
 * information of an Authorization header or of X-Amz-* query parameters, the date, skew,
 * expiry and credential-scope checks, the signature itself and the payload hash (an
 * aws-chunked body is verified and decoded by sigv4_chunked.c); the canonical forms and
 * the signing key come from sigv4_canonical.c. Stateless. */
#include "sigv4_internal.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/names.h"

#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define STREAMING_PAYLOAD "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

const sigv4_key *sigv4_keys_find(const sigv4_keys *keys, const char *access_key)
{
    if (!keys || !access_key)
        return NULL;
    for (size_t i = 0; i < keys->count; i++) {
        if (strcmp(keys->items[i].access_key, access_key) == 0)
            return &keys->items[i];
    }
    return NULL;
}

/* ---- results ---- */

static sigv4_status fail(sigv4_result *out, sigv4_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sigv4_status fail(sigv4_result *out, sigv4_status status, const char *fmt, ...)
{
    buf_t b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(out->message);
    out->message = b.data ? buf_detach(&b, NULL) : xstrdup("");
    out->status = status;
    return status;
}

void sigv4_result_free(sigv4_result *r)
{
    if (!r)
        return;
    free(r->message);
    free(r->canonical_request);
    free(r->string_to_sign);
    free(r->decoded_body);
    memset(r, 0, sizeof *r);
}

/* ---- verification ---- */

static bool header_listed(const char *signed_headers, const char *name)
{
    size_t n = strlen(name);
    const char *p = signed_headers;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0)
            return true;
        if (!semi)
            break;
        p = semi + 1;
    }
    return false;
}

/* What a header or query-string signature says. */
typedef struct signature_info {
    char *algorithm;
    char *credential;
    char *signed_headers;
    char *signature;
    char timestamp[17];
    int64_t time;
    long expires; /* presigned: X-Amz-Expires, or -1 */
    char *content_sha256; /* presigned: X-Amz-Content-Sha256 query parameter */
} signature_info;

static void info_free(signature_info *info)
{
    free(info->algorithm);
    free(info->credential);
    free(info->signed_headers);
    free(info->signature);
    free(info->content_sha256);
}

static const char *header0(const sigv4_request *req, const char *name)
{
    return req->header(req->header_ctx, name, 0);
}

static char *trimmed_dup(const char *s, size_t len)
{
    while (len && sigv4_is_space(*s))
        s++, len--;
    while (len && sigv4_is_space(s[len - 1]))
        len--;
    return xstrndup(s, len);
}

static sigv4_status skew_check(const signature_info *info, const sigv4_request *req, sigv4_result *out)
{
    char now[17], bound[17];
    sigv4_format_time(req->now, now);
    int minutes = req->max_skew / 60;
    if (info->time < req->now - req->max_skew) {
        sigv4_format_time(req->now - req->max_skew, bound);
        return fail(out, SIGV4_SKEWED, "Signature expired: %s is now earlier than %s (%s - %d min.)", info->timestamp,
                    bound, now, minutes);
    }
    if (info->time > req->now + req->max_skew) {
        sigv4_format_time(req->now + req->max_skew, bound);
        return fail(out, SIGV4_SKEWED, "Signature not yet current: %s is still later than %s (%s + %d min.)",
                    info->timestamp, bound, now, minutes);
    }
    return SIGV4_OK;
}

static sigv4_status unsupported_algorithm(const signature_info *info, sigv4_result *out)
{
    if (strcmp(info->algorithm, SIGV4_ALGORITHM) == 0)
        return SIGV4_OK;
    return fail(out, SIGV4_INCOMPLETE, "Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). ",
                info->algorithm);
}

/* Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=… */
static sigv4_status parse_header_auth(const sigv4_request *req, const char *authz, signature_info *info,
                                      sigv4_result *out)
{
    const char *p = authz;
    while (sigv4_is_space(*p))
        p++;
    const char *alg_end = p;
    while (*alg_end && !sigv4_is_space(*alg_end) && *alg_end != ',')
        alg_end++;
    info->algorithm = xstrndup(p, (size_t)(alg_end - p));
    p = alg_end;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = trimmed_dup(p, len);
        if (*item) {
            char *eq = strchr(item, '=');
            if (!eq) {
                fail(out, SIGV4_INCOMPLETE,
                     "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", item, authz);
                free(item);
                return out->status;
            }
            *eq = '\0';
            char *name = trimmed_dup(item, strlen(item));
            char *value = trimmed_dup(eq + 1, strlen(eq + 1));
            char **slot = strcmp(name, "Credential") == 0      ? &info->credential
                          : strcmp(name, "SignedHeaders") == 0 ? &info->signed_headers
                          : strcmp(name, "Signature") == 0     ? &info->signature
                                                               : NULL;
            if (slot && !*slot)
                *slot = value;
            else
                free(value);
            free(name);
        }
        free(item);
        if (!comma)
            break;
        p = comma + 1;
    }
    const char *amz_date = header0(req, "x-amz-date");
    const char *http_date = amz_date ? NULL : header0(req, "date");
    buf_t missing;
    buf_init(&missing);
    if (!info->credential || !*info->credential)
        buf_puts(&missing, "Authorization header requires 'Credential' parameter. ");
    if (!info->signature || !*info->signature)
        buf_puts(&missing, "Authorization header requires 'Signature' parameter. ");
    if (!info->signed_headers)
        buf_puts(&missing, "Authorization header requires 'SignedHeaders' parameter. ");
    if (!amz_date && !http_date)
        buf_puts(&missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    if (missing.len) {
        fail(out, SIGV4_INCOMPLETE, "%sAuthorization=%s", missing.data, authz);
        buf_free(&missing);
        return out->status;
    }
    const char *date_text = amz_date ? amz_date : http_date;
    bool date_ok = amz_date ? sigv4_parse_time(amz_date, &info->time) : sigv4_parse_http_date(http_date, &info->time);
    if (!date_ok)
        return fail(out, SIGV4_INCOMPLETE,
                    "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601",
                    date_text);
    if (amz_date)
        snprintf(info->timestamp, sizeof info->timestamp, "%s", amz_date);
    else
        sigv4_format_time(info->time, info->timestamp);
    if (skew_check(info, req, out) != SIGV4_OK)
        return out->status;
    if (!header_listed(info->signed_headers, "host"))
        return fail(out, SIGV4_MISMATCH, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    return unsupported_algorithm(info, out);
}

/* ?X-Amz-Algorithm=…&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=…&X-Amz-SignedHeaders=…&X-Amz-Signature=… */
static sigv4_status parse_query_auth(const sigv4_request *req, signature_info *info, sigv4_result *out)
{
    static const char *const required[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                           "X-Amz-SignedHeaders", "X-Amz-Signature"};
    char *values[5];
    for (int i = 0; i < 5; i++)
        values[i] = sigv4_query_param(req->query, required[i]);
    info->algorithm = values[0];
    info->credential = values[1];
    info->signed_headers = values[3];
    info->signature = values[4];
    char *date = values[2];
    for (int i = 0; i < 5; i++) {
        if (!values[i] || !*values[i]) {
            free(date);
            return fail(out, SIGV4_INCOMPLETE,
                        "AWS query-string parameters must include '%s'. Re-examine the query-string parameters.",
                        required[i]);
        }
    }
    if (unsupported_algorithm(info, out) != SIGV4_OK) {
        free(date);
        return out->status;
    }
    bool date_ok = sigv4_parse_time(date, &info->time);
    if (date_ok)
        snprintf(info->timestamp, sizeof info->timestamp, "%s", date);
    else
        fail(out, SIGV4_INCOMPLETE,
             "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", date);
    free(date);
    if (!date_ok)
        return out->status;
    info->expires = -1;
    char *expires = sigv4_query_param(req->query, "X-Amz-Expires");
    if (expires) {
        char *end;
        long v = strtol(expires, &end, 10);
        bool ok = *expires && !*end && v >= 1 && v <= SIGV4_MAX_EXPIRES;
        if (!ok)
            fail(out, SIGV4_INCOMPLETE, "X-Amz-Expires must be a whole number of seconds from 1 to %d, got '%s'.",
                 SIGV4_MAX_EXPIRES, expires);
        free(expires);
        if (!ok)
            return out->status;
        info->expires = v;
    }
    info->content_sha256 = sigv4_query_param(req->query, "X-Amz-Content-Sha256");
    if (info->expires < 0) {
        if (skew_check(info, req, out) != SIGV4_OK)
            return out->status;
    } else if (info->time > req->now + req->max_skew) {
        if (skew_check(info, req, out) != SIGV4_OK)
            return out->status;
    } else if (req->now > info->time + info->expires) {
        char now[17];
        sigv4_format_time(req->now, now);
        return fail(out, SIGV4_EXPIRED, "Request has expired: X-Amz-Date %s plus X-Amz-Expires %ld seconds is "
                    "earlier than %s.", info->timestamp, info->expires, now);
    }
    if (!header_listed(info->signed_headers, "host"))
        return fail(out, SIGV4_MISMATCH, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    return SIGV4_OK;
}

static bool is_sha256_hex(const char *s)
{
    if (strlen(s) != SIGV4_SIG_HEX_LEN)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isxdigit((unsigned char)*p))
            return false;
    }
    return true;
}

/* Scope checks, key lookup, signature, payload: what header and query signatures share. */
static sigv4_status verify_signature(const sigv4_request *req, const sigv4_keys *keys, signature_info *info,
                                     sigv4_result *out)
{
    char *parts[5] = {0};
    int n = 0;
    const char *p = info->credential;
    while (n < 6) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (n < 5)
            parts[n] = xstrndup(p, len);
        n++;
        if (!slash)
            break;
        p = slash + 1;
    }
    sigv4_status status = SIGV4_OK;
    if (n != 5) {
        status = fail(out, SIGV4_INCOMPLETE, "Credential must have exactly 5 slash-delimited elements, e.g. "
                      "keyid/date/region/service/term, got '%s'", info->credential);
        goto done;
    }
    if (strlen(parts[0]) >= sizeof out->access_key || strlen(parts[2]) >= sizeof out->region ||
        strlen(parts[3]) >= sizeof out->service) {
        status = fail(out, SIGV4_INCOMPLETE, "Credential has an element that is too long: '%s'", info->credential);
        goto done;
    }
    snprintf(out->access_key, sizeof out->access_key, "%s", parts[0]);
    snprintf(out->region, sizeof out->region, "%s", parts[2]);
    snprintf(out->service, sizeof out->service, "%s", parts[3]);
    buf_t scope_errors;
    buf_init(&scope_errors);
    if (!name_is_region(parts[2]))
        buf_printf(&scope_errors, "Credential should be scoped to a valid region, not '%s'. ", parts[2]);
    if (req->service && strcmp(parts[3], req->service) != 0)
        buf_printf(&scope_errors, "Credential should be scoped to correct service: '%s'. ", req->service);
    if (strcmp(parts[4], "aws4_request") != 0)
        buf_printf(&scope_errors, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ",
                   parts[4]);
    if (strlen(parts[1]) != 8 || strncmp(parts[1], info->timestamp, 8) != 0)
        buf_printf(&scope_errors, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                   "from HTTP: '%s' != '%.8s', from '%s'.", parts[1], info->timestamp, info->timestamp);
    if (scope_errors.len) {
        while (scope_errors.len && scope_errors.data[scope_errors.len - 1] == ' ')
            scope_errors.data[--scope_errors.len] = '\0';
        status = fail(out, SIGV4_MISMATCH, "%s", scope_errors.data);
        buf_free(&scope_errors);
        goto done;
    }
    const sigv4_key *key = sigv4_keys_find(keys, parts[0]);
    if (!key) {
        status = fail(out, SIGV4_UNKNOWN_KEY, "The security token included in the request is invalid.");
        goto done;
    }

    /* The payload hash that was signed. */
    const char *declared = info->content_sha256 ? info->content_sha256 : header0(req, "x-amz-content-sha256");
    bool streaming = false;
    bool check_body = false;
    char body_hash[SHA256_HEX_LEN];
    sha256_hex(req->body, req->body_len, body_hash);
    const char *payload_hash = body_hash;
    if (declared) {
        if (strcmp(declared, UNSIGNED_PAYLOAD) == 0) {
            payload_hash = UNSIGNED_PAYLOAD;
        } else if (strcmp(declared, STREAMING_PAYLOAD) == 0 && !info->content_sha256) {
            payload_hash = STREAMING_PAYLOAD;
            streaming = true;
        } else if (is_sha256_hex(declared)) {
            payload_hash = declared;
            check_body = true;
        } else {
            status = fail(out, SIGV4_INCOMPLETE, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value; sqsemu does not take '%s'.",
                          declared);
            goto done;
        }
    }

    char scope[256];
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", parts[1], parts[2], parts[3]);
    unsigned char signing_key[32];
    sigv4_signing_key(key->secret, parts[1], parts[2], parts[3], signing_key);
    char *canonical = sigv4_canonical_request(req, info->signed_headers, !!out->presigned, payload_hash);
    char *sts = sigv4_string_to_sign(info->timestamp, scope, canonical);
    char computed[SIGV4_SIG_HEX_LEN + 1];
    sigv4_sign_hex(signing_key, sts, computed);
    bool match = sigv4_signature_equal(computed, info->signature);
    /* A presigned URL for a body-less request may have been signed as S3's presigners
     * do, with UNSIGNED-PAYLOAD instead of the empty body's hash. */
    if (!match && out->presigned && !declared && req->body_len == 0) {
        char *alt = sigv4_canonical_request(req, info->signed_headers, true, UNSIGNED_PAYLOAD);
        char *alt_sts = sigv4_string_to_sign(info->timestamp, scope, alt);
        char alt_sig[SIGV4_SIG_HEX_LEN + 1];
        sigv4_sign_hex(signing_key, alt_sts, alt_sig);
        match = sigv4_signature_equal(alt_sig, info->signature);
        free(alt);
        free(alt_sts);
    }
    if (!match) {
        out->canonical_request = canonical;
        out->string_to_sign = sts;
        status = fail(out, SIGV4_MISMATCH, "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult the service "
                      "documentation for details.");
        OPENSSL_cleanse(signing_key, sizeof signing_key);
        goto done;
    }
    free(canonical);
    free(sts);
    if (check_body && strcasecmp(declared, body_hash) != 0) {
        status = fail(out, SIGV4_MISMATCH, "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.");
    } else if (streaming) {
        sigv4_chunk_signer signer = {.key = signing_key, .timestamp = info->timestamp, .scope = scope};
        memcpy(signer.previous, info->signature, SIGV4_SIG_HEX_LEN + 1);
        const char *why = NULL;
        bool bad_signature = false;
        size_t decoded_len = 0;
        char *decoded = sigv4_decode_chunked(req->body, req->body_len, &signer, &decoded_len, &why, &bad_signature);
        const char *declared_len = header0(req, "x-amz-decoded-content-length");
        if (!decoded) {
            status = bad_signature ? fail(out, SIGV4_MISMATCH, "The request signature we calculated does not match "
                                          "the signature you provided: %s.", why)
                                   : fail(out, SIGV4_INCOMPLETE, "The aws-chunked body is malformed: %s.", why);
        } else if (declared_len && strtoull(declared_len, NULL, 10) != (unsigned long long)decoded_len) {
            free(decoded);
            status = fail(out, SIGV4_INCOMPLETE, "The aws-chunked body decodes to %zu bytes, but "
                          "x-amz-decoded-content-length says %s.", decoded_len, declared_len);
        } else {
            out->decoded_body = decoded;
            out->decoded_len = decoded_len;
            out->body_decoded = true;
        }
    }
    OPENSSL_cleanse(signing_key, sizeof signing_key);
    if (status == SIGV4_OK)
        out->key = key;
done:
    for (int i = 0; i < 5; i++)
        free(parts[i]);
    return status;
}

sigv4_status sigv4_verify(const sigv4_request *req, const sigv4_keys *keys, sigv4_result *out)
{
    memset(out, 0, sizeof *out);
    out->message = xstrdup("");
    const char *authz = header0(req, "authorization");
    char *query_algorithm = sigv4_query_param(req->query, "X-Amz-Algorithm");
    char *query_signature = sigv4_query_param(req->query, "X-Amz-Signature");
    bool query_auth = query_algorithm || query_signature;
    free(query_algorithm);
    free(query_signature);
    signature_info info = {0};
    sigv4_status status;
    if (authz && *authz) {
        const char *p = authz;
        while (sigv4_is_space(*p))
            p++;
        if (strncmp(p, "AWS4-", 5) != 0)
            status = fail(out, SIGV4_MISSING, "Request is missing Authentication Token");
        else if (query_auth)
            status = fail(out, SIGV4_INCOMPLETE, "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                          "parameter or the Authorization header should be specified.");
        else
            status = parse_header_auth(req, authz, &info, out);
    } else if (query_auth) {
        out->presigned = true;
        status = parse_query_auth(req, &info, out);
    } else {
        status = fail(out, SIGV4_MISSING, "Request is missing Authentication Token");
    }
    if (status == SIGV4_OK)
        status = verify_signature(req, keys, &info, out);
    info_free(&info);
    out->status = status;
    return status;
}

/* ---- presigning ---- */

char *sigv4_presign_query(const sigv4_presign *p)
{
    char timestamp[17];
    sigv4_format_time(p->now, timestamp);
    buf_t credential;
    buf_init(&credential);
    buf_printf(&credential, "%s/%.8s/%s/%s/aws4_request", p->access_key, timestamp, p->region, p->service);
    buf_t query;
    buf_init(&query);
    if (p->query && *p->query)
        buf_printf(&query, "%s&", p->query);
    buf_puts(&query, "X-Amz-Algorithm=" SIGV4_ALGORITHM "&X-Amz-Credential=");
    sigv4_uri_encode(&query, credential.data, credential.len, false);
    buf_printf(&query, "&X-Amz-Date=%s&X-Amz-Expires=%ld&X-Amz-SignedHeaders=host", timestamp, p->expires);

    char *uri = sigv4_canonical_uri(p->path);
    char *canonical_query = sigv4_canonical_query(query.data, true);
    buf_t cr;
    buf_init(&cr);
    buf_printf(&cr, "%s\n%s\n%s\nhost:", p->method, uri, canonical_query);
    sigv4_trim_all(&cr, p->host);
    buf_puts(&cr, "\n\nhost\n" SIGV4_EMPTY_SHA256);
    free(uri);
    free(canonical_query);

    char scope[256];
    snprintf(scope, sizeof scope, "%.8s/%s/%s/aws4_request", timestamp, p->region, p->service);
    char *sts = sigv4_string_to_sign(timestamp, scope, cr.data);
    char date8[9];
    snprintf(date8, sizeof date8, "%.8s", timestamp);
    unsigned char key[32];
    sigv4_signing_key(p->secret, date8, p->region, p->service, key);
    char signature[SIGV4_SIG_HEX_LEN + 1];
    sigv4_sign_hex(key, sts, signature);
    OPENSSL_cleanse(key, sizeof key);
    buf_printf(&query, "&X-Amz-Signature=%s", signature);
    free(sts);
    buf_free(&cr);
    buf_free(&credential);
    return buf_detach(&query, NULL);
}
