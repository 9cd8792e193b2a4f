/* auth/sigv4_canonical: the building blocks of SigV4: percent-encoding, the canonical
 * URI, query string and headers, the canonical request and the string to sign, the
 * X-Amz-Date and HTTP Date formats, the signing-key derivation and HMAC signatures.
 * Stateless. Crypto is OpenSSL's: SHA-256 through codec.h, HMAC-SHA256 through HMAC(),
 * comparisons through CRYPTO_memcmp(). */
#include "sigv4_internal.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"

/* ---- encodings ---- */

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Percent-encodes every byte but the unreserved ones (and '/', when keep_slash). */
void sigv4_uri_encode(buf_t *out, const char *s, size_t len, bool keep_slash)
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
    sigv4_uri_encode(out, decoded, decoded_len, false);
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
        sigv4_uri_encode(&out, starts[i], lens[i], false);
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
char *sigv4_query_param(const char *raw_query, const char *name)
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
bool sigv4_parse_http_date(const char *text, int64_t *out)
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

void sigv4_sign_hex(const unsigned char key[32], const char *msg, char out[SIGV4_SIG_HEX_LEN + 1])
{
    unsigned char mac[32];
    hmac_sha256(key, 32, msg, strlen(msg), mac);
    hex_encode(mac, 32, out);
}

/* Constant-time equality of a computed signature and the one provided. */
bool sigv4_signature_equal(const char computed[SIGV4_SIG_HEX_LEN + 1], const char *provided)
{
    if (strlen(provided) != SIGV4_SIG_HEX_LEN)
        return false;
    return CRYPTO_memcmp(computed, provided, SIGV4_SIG_HEX_LEN) == 0;
}

/* ---- the canonical request ---- */

bool sigv4_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trimall: no leading or trailing white space, inner runs of it as one space. */
void sigv4_trim_all(buf_t *out, const char *value)
{
    bool pending_space = false;
    bool any = false;
    for (const char *p = value; *p; p++) {
        if (sigv4_is_space(*p)) {
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

char *sigv4_canonical_request(const sigv4_request *req, const char *signed_headers, bool presigned,
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
            sigv4_trim_all(&cr, value);
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

char *sigv4_string_to_sign(const char *timestamp, const char *scope, const char *canonical)
{
    char hash[SHA256_HEX_LEN];
    sha256_hex(canonical, strlen(canonical), hash);
    buf_t sts;
    buf_init(&sts);
    buf_printf(&sts, SIGV4_ALGORITHM "\n%s\n%s\n%s", timestamp, scope, hash);
    return buf_detach(&sts, NULL);
}
