/* auth/sigv4: AWS Signature Version 4 verification (header and query-string
 * signatures, aws-chunked payloads) and presigning. Crypto is OpenSSL's: SHA-256 through
 * codec.h, HMAC-SHA256 through HMAC(), comparisons through CRYPTO_memcmp(). */
#include "sqsemu/sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sqsemu/buf.h"
#include "sqsemu/names.h"
#include "sqsemu/codec.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define STREAMING_PAYLOAD "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
#define CHUNK_ALGORITHM "AWS4-HMAC-SHA256-PAYLOAD"
#define SIG_HEX_LEN 64

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

/* ---- encodings ---- */

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Percent-encodes every byte but the unreserved ones (and '/', when keep_slash). */
static void uri_encode(buf_t *out, const char *s, size_t len, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            buf_putc(out, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, esc, 3);
        }
    }
}

static void encode_component(buf_t *out, const char *raw, size_t len)
{
    size_t decoded_len;
    char *decoded = percent_decode(raw, len, &decoded_len);
    uri_encode(out, decoded, decoded_len, false);
    free(decoded);
}

/* ---- canonical URI ---- */

char *sigv4_canonical_uri(const char *raw_path)
{
    size_t path_len = strlen(raw_path);
    /* Segments without the empty and "." ones, ".." removing the one before. */
    const char **starts = xmalloc((path_len + 1) * sizeof *starts);
    size_t *lens = xmalloc((path_len + 1) * sizeof *lens);
    size_t count = 0;
    const char *p = raw_path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (count > 0)
                count--;
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            starts[count] = p;
            lens[count] = len;
            count++;
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    buf_t out;
    buf_init(&out);
    if (raw_path[0] == '/')
        buf_putc(&out, '/');
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            buf_putc(&out, '/');
        uri_encode(&out, starts[i], lens[i], false);
    }
    if (count > 0 && path_len > 0 && raw_path[path_len - 1] == '/')
        buf_putc(&out, '/');
    if (out.len == 0)
        buf_putc(&out, '/');
    free(starts);
    free(lens);
    return buf_detach(&out, NULL);
}

/* ---- canonical query string ---- */

typedef struct query_pair {
    char *name;  /* strictly encoded */
    char *value; /* strictly encoded */
} query_pair;

static int compare_pairs(const void *a, const void *b)
{
    const query_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static bool is_signature_param(const char *raw, size_t len)
{
    size_t decoded_len;
    char *decoded = percent_decode(raw, len, &decoded_len);
    bool is = decoded_len == strlen("X-Amz-Signature") && memcmp(decoded, "X-Amz-Signature", decoded_len) == 0;
    free(decoded);
    return is;
}

char *sigv4_canonical_query(const char *raw_query, bool presigned)
{
    size_t cap = 1;
    for (const char *p = raw_query; *p; p++)
        cap += *p == '&';
    query_pair *pairs = xcalloc(cap, sizeof *pairs);
    size_t count = 0;
    const char *p = raw_query;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t name_len = eq ? (size_t)(eq - p) : len;
            if (!(presigned && is_signature_param(p, name_len))) {
                buf_t name, value;
                buf_init(&name);
                buf_init(&value);
                encode_component(&name, p, name_len);
                if (eq)
                    encode_component(&value, eq + 1, len - name_len - 1);
                pairs[count].name = name.data ? buf_detach(&name, NULL) : xstrdup("");
                pairs[count].value = value.data ? buf_detach(&value, NULL) : xstrdup("");
                count++;
            }
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    qsort(pairs, count, sizeof *pairs, compare_pairs);
    buf_t out;
    buf_init(&out);
    for (size_t i = 0; i < count; i++) {
        buf_printf(&out, "%s%s=%s", i ? "&" : "", pairs[i].name, pairs[i].value);
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    return out.data ? buf_detach(&out, NULL) : xstrdup("");
}

/* The decoded value of the first query parameter called `name`, malloc'd, or NULL. */
static char *query_param(const char *raw_query, const char *name)
{
    const char *p = raw_query;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        size_t decoded_len;
        char *decoded = percent_decode(p, name_len, &decoded_len);
        bool match = decoded_len == strlen(name) && memcmp(decoded, name, decoded_len) == 0;
        free(decoded);
        if (match) {
            size_t value_len;
            return eq ? percent_decode(eq + 1, len - name_len - 1, &value_len) : xstrdup("");
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    return NULL;
}

/* ---- time ---- */

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool sigv4_parse_time(const char *text, int64_t *out)
{
    if (!text || strlen(text) != 16 || text[8] != 'T' || text[15] != 'Z' || !digits(text, 8) ||
        !digits(text + 9, 6))
        return false;
    struct tm tm = {0};
    tm.tm_year = number(text, 4) - 1900;
    tm.tm_mon = number(text + 4, 2) - 1;
    tm.tm_mday = number(text + 6, 2);
    tm.tm_hour = number(text + 9, 2);
    tm.tm_min = number(text + 11, 2);
    tm.tm_sec = number(text + 13, 2);
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

void sigv4_format_time(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* An HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT"), the fallback of X-Amz-Date. */
static bool parse_http_date(const char *text, int64_t *out)
{
    struct tm tm = {0};
    const char *end = strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

/* ---- crypto ---- */

static void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &n);
}

void sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
                       unsigned char out[32])
{
    buf_t k;
    buf_init(&k);
    buf_printf(&k, "AWS4%s", secret);
    unsigned char a[32], b[32];
    hmac_sha256(k.data, k.len, date8, strlen(date8), a);
    hmac_sha256(a, 32, region, strlen(region), b);
    hmac_sha256(b, 32, service, strlen(service), a);
    hmac_sha256(a, 32, "aws4_request", strlen("aws4_request"), out);
    OPENSSL_cleanse(k.data, k.len);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
    buf_free(&k);
}

static void sign_hex(const unsigned char key[32], const char *msg, char out[SIG_HEX_LEN + 1])
{
    unsigned char mac[32];
    hmac_sha256(key, 32, msg, strlen(msg), mac);
    hex_encode(mac, 32, out);
}

/* Constant-time equality of a computed signature and the one provided. */
static bool signature_equal(const char computed[SIG_HEX_LEN + 1], const char *provided)
{
    if (strlen(provided) != SIG_HEX_LEN)
        return false;
    return CRYPTO_memcmp(computed, provided, SIG_HEX_LEN) == 0;
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

/* ---- the canonical request ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trimall: no leading or trailing white space, inner runs of it as one space. */
static void trim_all(buf_t *out, const char *value)
{
    bool pending_space = false;
    bool any = false;
    for (const char *p = value; *p; p++) {
        if (is_space(*p)) {
            pending_space = any;
            continue;
        }
        if (pending_space)
            buf_putc(out, ' ');
        pending_space = false;
        buf_putc(out, *p);
        any = true;
    }
}

static char *lower_dup(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

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

static char *canonical_request(const sigv4_request *req, const char *signed_headers, bool presigned,
                               const char *payload_hash)
{
    buf_t cr;
    buf_init(&cr);
    char *uri = sigv4_canonical_uri(req->path);
    char *query = sigv4_canonical_query(req->query, presigned);
    buf_printf(&cr, "%s\n%s\n%s\n", req->method, uri, query);
    free(uri);
    free(query);
    char *names = lower_dup(signed_headers);
    const char *p = names;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        char *name = xstrndup(p, len);
        buf_printf(&cr, "%s:", name);
        for (size_t i = 0;; i++) {
            const char *value = req->header(req->header_ctx, name, i);
            if (!value)
                break;
            if (i > 0)
                buf_putc(&cr, ',');
            trim_all(&cr, value);
        }
        buf_putc(&cr, '\n');
        free(name);
        if (!semi)
            break;
        p = semi + 1;
    }
    buf_printf(&cr, "\n%s\n%s", names, payload_hash);
    free(names);
    return buf_detach(&cr, NULL);
}

static char *string_to_sign(const char *timestamp, const char *scope, const char *canonical)
{
    char hash[SHA256_HEX_LEN];
    sha256_hex(canonical, strlen(canonical), hash);
    buf_t sts;
    buf_init(&sts);
    buf_printf(&sts, SIGV4_ALGORITHM "\n%s\n%s\n%s", timestamp, scope, hash);
    return buf_detach(&sts, NULL);
}

/* ---- aws-chunked bodies ---- */

typedef struct chunk_signer {
    const unsigned char *key;
    const char *timestamp;
    const char *scope;
    char previous[SIG_HEX_LEN + 1];
} chunk_signer;

static bool chunk_signature_ok(chunk_signer *s, const char *data, size_t len, const char *provided)
{
    char hash[SHA256_HEX_LEN];
    sha256_hex(data, len, hash);
    buf_t sts;
    buf_init(&sts);
    buf_printf(&sts, CHUNK_ALGORITHM "\n%s\n%s\n%s\n" EMPTY_SHA256 "\n%s", s->timestamp, s->scope, s->previous, hash);
    char computed[SIG_HEX_LEN + 1];
    sign_hex(s->key, sts.data, computed);
    buf_free(&sts);
    bool ok = signature_equal(computed, provided);
    memcpy(s->previous, computed, sizeof computed);
    return ok;
}

/* Decodes "<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n" ... "0[;...]\r\n\r\n".
 * With a signer every chunk must carry a valid signature. On failure returns NULL and
 * sets *why (and *bad_signature when a chunk signature did not verify). */
static char *decode_chunked(const char *body, size_t len, chunk_signer *signer, size_t *out_len, const char **why,
                            bool *bad_signature)
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
        char signature[SIG_HEX_LEN + 1] = "";
        const char *ext = line + i;
        size_t ext_len = line_len - i;
        static const char prefix[] = ";chunk-signature=";
        if (ext_len >= strlen(prefix) && memcmp(ext, prefix, strlen(prefix)) == 0) {
            size_t sig_len = ext_len - strlen(prefix);
            if (sig_len != SIG_HEX_LEN) {
                *why = "a chunk signature is not 64 hexadecimal digits";
                goto bad;
            }
            memcpy(signature, ext + strlen(prefix), SIG_HEX_LEN);
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
    return decode_chunked(body, len, NULL, out_len, &why, &bad_signature);
}

/* ---- verification ---- */

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
    while (len && is_space(*s))
        s++, len--;
    while (len && is_space(s[len - 1]))
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
    while (is_space(*p))
        p++;
    const char *alg_end = p;
    while (*alg_end && !is_space(*alg_end) && *alg_end != ',')
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
    bool date_ok = amz_date ? sigv4_parse_time(amz_date, &info->time) : parse_http_date(http_date, &info->time);
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
        values[i] = query_param(req->query, required[i]);
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
    char *expires = query_param(req->query, "X-Amz-Expires");
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
    info->content_sha256 = query_param(req->query, "X-Amz-Content-Sha256");
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
    if (strlen(s) != SIG_HEX_LEN)
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
    char *canonical = canonical_request(req, info->signed_headers, !!out->presigned, payload_hash);
    char *sts = string_to_sign(info->timestamp, scope, canonical);
    char computed[SIG_HEX_LEN + 1];
    sign_hex(signing_key, sts, computed);
    bool match = signature_equal(computed, info->signature);
    /* A presigned URL for a body-less request may have been signed as S3's presigners
     * do, with UNSIGNED-PAYLOAD instead of the empty body's hash. */
    if (!match && out->presigned && !declared && req->body_len == 0) {
        char *alt = canonical_request(req, info->signed_headers, true, UNSIGNED_PAYLOAD);
        char *alt_sts = string_to_sign(info->timestamp, scope, alt);
        char alt_sig[SIG_HEX_LEN + 1];
        sign_hex(signing_key, alt_sts, alt_sig);
        match = signature_equal(alt_sig, info->signature);
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
        chunk_signer signer = {.key = signing_key, .timestamp = info->timestamp, .scope = scope};
        memcpy(signer.previous, info->signature, SIG_HEX_LEN + 1);
        const char *why = NULL;
        bool bad_signature = false;
        size_t decoded_len = 0;
        char *decoded = decode_chunked(req->body, req->body_len, &signer, &decoded_len, &why, &bad_signature);
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
    char *query_algorithm = query_param(req->query, "X-Amz-Algorithm");
    char *query_signature = query_param(req->query, "X-Amz-Signature");
    bool query_auth = query_algorithm || query_signature;
    free(query_algorithm);
    free(query_signature);
    signature_info info = {0};
    sigv4_status status;
    if (authz && *authz) {
        const char *p = authz;
        while (is_space(*p))
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
    uri_encode(&query, credential.data, credential.len, false);
    buf_printf(&query, "&X-Amz-Date=%s&X-Amz-Expires=%ld&X-Amz-SignedHeaders=host", timestamp, p->expires);

    char *uri = sigv4_canonical_uri(p->path);
    char *canonical_query = sigv4_canonical_query(query.data, true);
    buf_t cr;
    buf_init(&cr);
    buf_printf(&cr, "%s\n%s\n%s\nhost:", p->method, uri, canonical_query);
    trim_all(&cr, p->host);
    buf_puts(&cr, "\n\nhost\n" EMPTY_SHA256);
    free(uri);
    free(canonical_query);

    char scope[256];
    snprintf(scope, sizeof scope, "%.8s/%s/%s/aws4_request", timestamp, p->region, p->service);
    char *sts = string_to_sign(timestamp, scope, cr.data);
    char date8[9];
    snprintf(date8, sizeof date8, "%.8s", timestamp);
    unsigned char key[32];
    sigv4_signing_key(p->secret, date8, p->region, p->service, key);
    char signature[SIG_HEX_LEN + 1];
    sign_hex(key, sts, signature);
    OPENSSL_cleanse(key, sizeof key);
    buf_printf(&query, "&X-Amz-Signature=%s", signature);
    free(sts);
    buf_free(&cr);
    buf_free(&credential);
    return buf_detach(&query, NULL);
}
