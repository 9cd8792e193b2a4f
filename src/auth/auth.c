/* auth/auth: wires SigV4 verification into request handling: the key table built from
 * the flags, the one check before dispatch, the identity it leaves on the request, the
 * error shapes of the three fronts, presigned Code.Location URLs, handler credentials
 * and the warning about listening beyond loopback without --auth. */
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
#include "sqsemu/lambda_rest.h"
#include "sqsemu/log.h"
#include "sqsemu/xml.h"

#define SQS_SKEW_SECONDS 900    /* SQS: "… - 15 min." */
#define LAMBDA_SKEW_SECONDS 300 /* Lambda: "… - 5 min." */
#define CODE_LOCATION_EXPIRES 600 /* AWS's Code.Location is valid for 10 minutes */
#define HEALTH_PATH "/_sqsemu/health"
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
            log_error("--auth: %s", err);
            auth_keys_free(&A.keys);
            return false;
        }
        if (exposed)
            log_warn("--auth %s can be read or changed by other users and holds secret keys: chmod 600 %s",
                     cfg->auth_file, cfg->auth_file);
    }
    for (int i = 0; i < cfg->auth_key_count; i++) {
        if (!auth_keys_add_spec(&A.keys, cfg->auth_keys[i], err, sizeof err)) {
            log_error("--auth-key (number %d): %s", i + 1, err);
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

const auth_identity *auth_identity_of(const http_request *r)
{
    return http_auth(r);
}

/* ---- the error shapes ---- */

static const struct {
    const char *json_type;
    const char *code;
    int status;
} sqs_shapes[] = {
    [SIGV4_MISSING] = {"com.amazon.coral.service#MissingAuthenticationTokenException", "MissingAuthenticationToken", 403},
    [SIGV4_INCOMPLETE] = {"com.amazon.coral.service#IncompleteSignatureException", "IncompleteSignature", 400},
    [SIGV4_UNKNOWN_KEY] = {"com.amazon.coral.service#UnrecognizedClientException", "InvalidClientTokenId", 403},
    [SIGV4_MISMATCH] = {"com.amazon.coral.service#InvalidSignatureException", "SignatureDoesNotMatch", 403},
    [SIGV4_SKEWED] = {"com.amazon.coral.service#InvalidSignatureException", "SignatureDoesNotMatch", 403},
    [SIGV4_EXPIRED] = {"com.amazon.coral.service#RequestExpired", "RequestExpired", 400},
};

static const struct {
    const char *type;
    int status;
} lambda_shapes[] = {
    [SIGV4_MISSING] = {"MissingAuthenticationTokenException", 403},
    [SIGV4_INCOMPLETE] = {"IncompleteSignatureException", 403},
    [SIGV4_UNKNOWN_KEY] = {"UnrecognizedClientException", 403},
    [SIGV4_MISMATCH] = {"InvalidSignatureException", 403},
    [SIGV4_SKEWED] = {"InvalidSignatureException", 403},
    [SIGV4_EXPIRED] = {"InvalidSignatureException", 403},
};

static sigv4_status failure_kind(const sigv4_result *failure)
{
    return failure->status > SIGV4_OK && failure->status <= SIGV4_EXPIRED ? failure->status : SIGV4_MISMATCH;
}

/* SQS says what it computed when a signature does not match. */
static char *sqs_message(const sigv4_result *failure)
{
    buf_t m;
    buf_init(&m);
    buf_puts(&m, failure->message ? failure->message : "");
    if (failure->canonical_request && failure->string_to_sign)
        buf_printf(&m, "\n\nThe Canonical String for this request should have been\n'%s'\n\n"
                       "The String-to-Sign should have been\n'%s'\n",
                   failure->canonical_request, failure->string_to_sign);
    return buf_detach(&m, NULL);
}

void auth_render_sqs_json(http_request *r, const sigv4_result *failure)
{
    sigv4_status kind = failure_kind(failure);
    char *message = sqs_message(failure);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "__type", sqs_shapes[kind].json_type);
    cJSON_AddStringToObject(doc, "message", message);
    char *body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    free(message);
    http_respond(r, sqs_shapes[kind].status, "application/x-amz-json-1.0", body, strlen(body));
    buf_t h;
    buf_init(&h);
    buf_printf(&h, "%s;Sender", sqs_shapes[kind].code);
    http_add_header(r, "x-amzn-query-error", h.data);
    buf_free(&h);
}

void auth_render_sqs_query(http_request *r, const sigv4_result *failure)
{
    sigv4_status kind = failure_kind(failure);
    char *message = sqs_message(failure);
    buf_t out;
    buf_init(&out);
    buf_puts(&out, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error>");
    xml_text_element(&out, "Type", "Sender");
    xml_text_element(&out, "Code", sqs_shapes[kind].code);
    xml_text_element(&out, "Message", message);
    buf_puts(&out, "<Detail/></Error>");
    xml_text_element(&out, "RequestId", http_request_id(r));
    buf_puts(&out, "</ErrorResponse>");
    free(message);
    size_t len;
    char *body = buf_detach(&out, &len);
    http_respond(r, sqs_shapes[kind].status, "text/xml", body, len);
}

void auth_render_lambda(http_request *r, const sigv4_result *failure)
{
    sigv4_status kind = failure_kind(failure);
    const char *message = kind == SIGV4_MISSING ? "Missing Authentication Token" : failure->message;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "message", message ? message : "");
    char *body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    http_respond(r, lambda_shapes[kind].status, "application/json", body, strlen(body));
    http_add_header(r, "x-amzn-ErrorType", lambda_shapes[kind].type);
}

/* ---- the check before dispatch ---- */

static const char *header_of(void *ctx, const char *name, size_t index)
{
    return http_header_nth(ctx, name, index);
}

static bool is_json_request(http_request *r)
{
    const char *type = http_header(r, "Content-Type");
    return http_header(r, "X-Amz-Target") || (type && strncasecmp(type, "application/x-amz-json", 22) == 0);
}

/* Without --auth nothing is verified, but an aws-chunked body is still unwrapped. */
static void decode_unverified(http_request *r)
{
    const char *sha = http_header(r, "x-amz-content-sha256");
    if (!sha || strcmp(sha, STREAMING_PAYLOAD) != 0)
        return;
    size_t len = 0, decoded_len = 0;
    const char *body = http_body(r, &len);
    char *decoded = sigv4_decode_chunked_unverified(body, len, &decoded_len);
    if (decoded)
        http_replace_body(r, decoded, decoded_len);
}

bool auth_check_request(http_request *r)
{
    const char *path = http_path(r);
    const char *method = http_method(r);
    if (strcmp(method, "GET") == 0 && strcmp(path, HEALTH_PATH) == 0)
        return true;
    if (!A.enabled) {
        decode_unverified(r);
        return true;
    }
    bool lambda = lambda_rest_is_path(path);
    size_t len = 0;
    const char *body = http_body(r, &len);
    sigv4_request req = {
        .method = method,
        .path = path,
        .query = http_query(r),
        .header = header_of,
        .header_ctx = r,
        .body = body,
        .body_len = len,
        .now = clock_now_ms() / 1000,
        .service = lambda ? "lambda" : "sqs",
        .max_skew = lambda ? LAMBDA_SKEW_SECONDS : SQS_SKEW_SECONDS,
    };
    sigv4_result result;
    if (sigv4_verify(&req, &A.keys, &result) == SIGV4_OK) {
        auth_identity *id = xcalloc(1, sizeof *id);
        snprintf(id->account, sizeof id->account, "%s", auth_key_account(result.key, A.default_account));
        snprintf(id->region, sizeof id->region, "%s", result.region);
        snprintf(id->access_key, sizeof id->access_key, "%s", result.access_key);
        http_set_auth(r, id, free);
        if (result.body_decoded) {
            http_replace_body(r, result.decoded_body, result.decoded_len);
            result.decoded_body = NULL;
        }
        sigv4_result_free(&result);
        return true;
    }
    log_debug("rejected %s %s: %s%s%s", method, path, result.message,
              result.canonical_request ? "\ncanonical request:\n" : "",
              result.canonical_request ? result.canonical_request : "");
    if (lambda)
        auth_render_lambda(r, &result);
    else if (is_json_request(r))
        auth_render_sqs_json(r, &result);
    else
        auth_render_sqs_query(r, &result);
    sigv4_result_free(&result);
    return false;
}

/* ---- presigned Code.Location ---- */

void auth_presign_code_location(const http_request *r, cJSON *get_function_output)
{
    const auth_identity *id = auth_identity_of(r);
    const sigv4_key *key = id ? sigv4_keys_find(&A.keys, id->access_key) : NULL;
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
        .now = clock_now_ms() / 1000,
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
