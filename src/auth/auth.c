/* auth/auth: wires SigV4 verification into request handling: the key table built from
 * the flags, the check of every request (its identity, and with --auth its signature),
 * presigned Code.Location URLs, handler credentials and the warning about listening
 * beyond loopback without --auth. */
#include "sqsemu/auth.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sqsemu/auth_keys.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/codec.h"
#include "sqsemu/names.h"
#include "sqsemu/log.h"

#define CODE_LOCATION_EXPIRES 600 /* AWS's Code.Location is valid for 10 minutes */
#define STREAMING_PAYLOAD "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

static struct {
    bool enabled;
    sigv4_keys keys;
    char default_account[16];
} A;

bool auth_init(const config *cfg)
{
    snprintf(A.default_account, sizeof A.default_account, "%s", cfg->account_id);
    char err[512];
    if (cfg->auth_file[0]) {
        bool exposed = false;
        if (!auth_keys_load_file(&A.keys, cfg->auth_file, &exposed, err, sizeof err)) {
            log_error("%s: %s", cfg->auth_file_origin ? cfg->auth_file_origin : "--auth", err);
            auth_keys_free(&A.keys);
            return false;
        }
        if (exposed)
            log_warn("--auth %s can be read or changed by other users and holds secret keys: chmod 600 %s",
                     cfg->auth_file, cfg->auth_file);
    }
    for (int i = 0; i < cfg->auth_key_count; i++) {
        if (!auth_keys_add_spec(&A.keys, cfg->auth_keys[i], err, sizeof err)) {
            log_error("%s (key number %d): %s", cfg->auth_key_origin ? cfg->auth_key_origin : "--auth-key", i + 1,
                      err);
            auth_keys_free(&A.keys);
            return false;
        }
    }
    A.enabled = cfg->auth_file[0] || cfg->auth_key_count > 0;
    if (A.enabled)
        log_info("SigV4 signatures are verified (%zu access key%s)", A.keys.count, A.keys.count == 1 ? "" : "s");
    return true;
}

void auth_shutdown(void)
{
    auth_keys_free(&A.keys);
    A.enabled = false;
}

bool auth_enabled(void)
{
    return A.enabled;
}

/* ---- the identity of a request ---- */

static const char *header_of(void *ctx, const char *name, size_t index)
{
    return http_header_nth(ctx, name, index);
}

static void default_identity(http_identity *id)
{
    memset(id, 0, sizeof *id);
    snprintf(id->account, sizeof id->account, "%s", A.default_account);
    snprintf(id->region, sizeof id->region, "%s", http_config()->region);
}

/* The credential scope "KEY/date/region/service/aws4_request" of an unverified request:
 * from the Authorization header, else from a presigned URL's X-Amz-Credential. */
static bool scope_of(const http_request *r, char *key, size_t key_size, char *region, size_t region_size,
                     bool *has_nul)
{
    *has_nul = false;
    const char *auth = http_header(r, "Authorization");
    const char *credential = auth ? strstr(auth, "Credential=") : NULL;
    char *decoded = NULL;
    if (credential) {
        credential += strlen("Credential=");
    } else {
        const char *q = strstr(http_query(r), "X-Amz-Credential=");
        if (!q || (q != http_query(r) && q[-1] != '&'))
            return false;
        q += strlen("X-Amz-Credential=");
        size_t len = strcspn(q, "&"), decoded_len = 0;
        decoded = percent_decode(q, len, &decoded_len);
        *has_nul = strlen(decoded) != decoded_len;
        credential = decoded;
    }
    size_t n = strcspn(credential, "/, \t");
    if (n < key_size)
        snprintf(key, key_size, "%.*s", (int)n, credential);
    const char *p = credential[n] == '/' ? strchr(credential + n + 1, '/') : NULL;
    if (p) {
        p++;
        size_t m = strcspn(p, "/, \t");
        snprintf(region, region_size, "%.*s", (int)(m < region_size ? m : region_size - 1), p);
    }
    free(decoded);
    return true;
}

static void fail_with(auth_result *out, http_refusal_kind kind, char *text, char *detail)
{
    out->ok = false;
    out->text = text;
    out->detail = detail;
    out->refusal = (http_refusal){.kind = kind, .message = text, .detail = detail};
}

static void bad_region(auth_result *out, const char *region)
{
    buf_t m;
    buf_init(&m);
    buf_printf(&m, "Credential should be scoped to a valid region, not '%.64s'. ", region);
    fail_with(out, HTTP_REFUSE_AUTH_MISMATCH, buf_detach(&m, NULL), NULL);
}

/* Without --auth: the scope names the region (it must be a region name) and, as LocalStack
 * does, a 12-digit access key id names the account. */
static void identify_unverified(const http_request *r, auth_result *out)
{
    char key[129] = "", region[256] = "";
    bool has_nul = false;
    if (!scope_of(r, key, sizeof key, region, sizeof region, &has_nul))
        return;
    if (has_nul || (*region && !name_is_region(region))) {
        bad_region(out, has_nul ? "(a value holding NUL)" : region);
        return;
    }
    if (*region)
        snprintf(out->identity.region, sizeof out->identity.region, "%.63s", region);
    if (name_is_account_id(key))
        snprintf(out->identity.account, sizeof out->identity.account, "%.12s", key);
    snprintf(out->identity.access_key, sizeof out->identity.access_key, "%s", key);
}

static char *mismatch_detail(const sigv4_result *result)
{
    if (!result->canonical_request || !result->string_to_sign)
        return NULL;
    buf_t m;
    buf_init(&m);
    buf_printf(&m, "The Canonical String for this request should have been\n'%s'\n\n"
                   "The String-to-Sign should have been\n'%s'\n",
               result->canonical_request, result->string_to_sign);
    return buf_detach(&m, NULL);
}

static http_refusal_kind refusal_of(sigv4_status status)
{
    switch (status) {
    case SIGV4_MISSING: return HTTP_REFUSE_AUTH_MISSING;
    case SIGV4_INCOMPLETE: return HTTP_REFUSE_AUTH_INCOMPLETE;
    case SIGV4_UNKNOWN_KEY: return HTTP_REFUSE_AUTH_UNKNOWN_KEY;
    case SIGV4_SKEWED: return HTTP_REFUSE_AUTH_SKEWED;
    case SIGV4_EXPIRED: return HTTP_REFUSE_AUTH_EXPIRED;
    case SIGV4_OK:
    case SIGV4_MISMATCH: break;
    }
    return HTTP_REFUSE_AUTH_MISMATCH;
}

static void verify(const http_request *r, const char *service, int max_skew_s, auth_result *out)
{
    size_t len = 0;
    const char *body = http_body(r, &len);
    sigv4_request req = {
        .method = http_method(r),
        .path = http_path(r),
        .query = http_query(r),
        .header = header_of,
        .header_ctx = (void *)r,
        .body = body,
        .body_len = len,
        .now = clock_real_ms() / 1000,
        .service = service,
        .max_skew = max_skew_s,
    };
    sigv4_result result;
    if (sigv4_verify(&req, &A.keys, &result) == SIGV4_OK) {
        snprintf(out->identity.account, sizeof out->identity.account, "%s",
                 auth_key_account(result.key, A.default_account));
        snprintf(out->identity.region, sizeof out->identity.region, "%s", result.region);
        snprintf(out->identity.access_key, sizeof out->identity.access_key, "%s", result.access_key);
        out->identity.verified = true;
        if (result.body_decoded) {
            out->decoded_body = result.decoded_body;
            out->decoded_len = result.decoded_len;
            result.decoded_body = NULL;
        }
    } else {
        log_debug("rejected %s %s: %s%s%s", req.method, req.path, result.message,
                  result.canonical_request ? "\ncanonical request:\n" : "",
                  result.canonical_request ? result.canonical_request : "");
        fail_with(out, refusal_of(result.status), xstrdup(result.message ? result.message : ""),
                  mismatch_detail(&result));
    }
    sigv4_result_free(&result);
}

/* Without --auth nothing is verified, but an aws-chunked body is still unwrapped. */
static void decode_unverified(const http_request *r, auth_result *out)
{
    const char *sha = http_header(r, "x-amz-content-sha256");
    if (!sha || strcmp(sha, STREAMING_PAYLOAD) != 0)
        return;
    size_t len = 0;
    const char *body = http_body(r, &len);
    out->decoded_body = sigv4_decode_chunked_unverified(body, len, &out->decoded_len);
}

void auth_check(const http_request *r, const char *service, int max_skew_s, auth_result *out)
{
    memset(out, 0, sizeof *out);
    out->ok = true;
    default_identity(&out->identity);
    if (!service)
        return;
    if (A.enabled) {
        verify(r, service, max_skew_s, out);
    } else {
        identify_unverified(r, out);
        if (out->ok)
            decode_unverified(r, out);
    }
}

void auth_result_free(auth_result *out)
{
    free(out->text);
    free(out->detail);
    free(out->decoded_body);
    out->text = out->detail = out->decoded_body = NULL;
}

/* ---- presigned Code.Location ---- */

void auth_presign_code_location(const http_request *r, cJSON *get_function_output)
{
    const http_identity *id = http_identity_of(r);
    const sigv4_key *key = id->verified ? sigv4_keys_find(&A.keys, id->access_key) : NULL;
    cJSON *code = cJSON_GetObjectItemCaseSensitive(get_function_output, "Code");
    cJSON *location = cJSON_GetObjectItemCaseSensitive(code, "Location");
    if (!key || !cJSON_IsString(location))
        return;
    const char *url = location->valuestring;
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : NULL;
    const char *path = host ? strchr(host, '/') : NULL;
    if (!path || strchr(path, '?'))
        return;
    char *host_copy = xstrndup(host, (size_t)(path - host));
    sigv4_presign p = {
        .method = "GET",
        .host = host_copy,
        .path = path,
        .query = "",
        .access_key = key->access_key,
        .secret = key->secret,
        .region = id->region,
        .service = "lambda",
        .now = clock_real_ms() / 1000,
        .expires = CODE_LOCATION_EXPIRES,
    };
    char *query = sigv4_presign_query(&p);
    buf_t signed_url;
    buf_init(&signed_url);
    buf_printf(&signed_url, "%s?%s", url, query);
    cJSON_SetValuestring(location, signed_url.data);
    buf_free(&signed_url);
    free(query);
    free(host_copy);
}

/* ---- handler credentials ---- */

void auth_handler_credentials(const char *account, const char **access_key, const char **secret)
{
    if (!A.enabled)
        return;
    for (size_t i = 0; i < A.keys.count; i++) {
        const sigv4_key *k = &A.keys.items[i];
        if (strcmp(auth_key_account(k, A.default_account), account) == 0) {
            *access_key = k->access_key;
            *secret = k->secret;
            return;
        }
    }
}

/* ---- listening beyond loopback ---- */

bool auth_address_is_loopback(const char *numeric)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, numeric, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, numeric, &v6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&v6))
            return true;
        return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
    }
    return false;
}

bool auth_host_is_loopback(const char *host)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *addrs = NULL;
    if (getaddrinfo(host, NULL, &hints, &addrs) != 0)
        return false;
    bool all = addrs != NULL;
    for (struct addrinfo *a = addrs; a && all; a = a->ai_next) {
        char numeric[INET6_ADDRSTRLEN];
        all = getnameinfo(a->ai_addr, a->ai_addrlen, numeric, sizeof numeric, NULL, 0, NI_NUMERICHOST) == 0 &&
              auth_address_is_loopback(numeric);
    }
    freeaddrinfo(addrs);
    return all;
}

void auth_warn_if_exposed(const config *cfg)
{
    if (A.enabled || auth_host_is_loopback(cfg->host))
        return;
    const struct passwd *pw = getpwuid(geteuid());
    log_warn("listening on %s without --auth: anyone who can reach this port can call every API on it, "
             "including CreateFunction, and the code they upload runs as this server's user (%s). "
             "Use --auth FILE or --auth-key KEY:SECRET, or listen on 127.0.0.1.",
             cfg->host, pw && pw->pw_name ? pw->pw_name : "this user");
}
