/* auth: who a request of the API port comes from, and SigV4 verification (--auth FILE,
 * --auth-key). The HTTP server runs auth_check() on every complete request before its
 * front sees it; a failure is handed to the front, which answers in its own error shape. */
#ifndef SQSEMU_AUTH_H
#define SQSEMU_AUTH_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "sqsemu/config.h"
#include "sqsemu/http.h"
#include "sqsemu/sigv4.h"

/* Builds the key table from cfg (--auth, --auth-key). Prints what is wrong and returns
 * false when a key file or key is unusable. */
bool auth_init(const config *cfg);
void auth_shutdown(void);
bool auth_enabled(void);

/* The identity of a request and, with --auth, the check of its signature. */
typedef struct auth_result {
    bool ok;
    http_identity identity;
    http_refusal refusal; /* when !ok: refusal.message and .detail point into owned text */
    char *text;           /* owned */
    char *detail;         /* owned */
    char *decoded_body;   /* an aws-chunked body, decoded (owned), or NULL */
    size_t decoded_len;
} auth_result;

/* service: the SigV4 service the signature must be scoped to; NULL when the request needs
 * no signature (then only the identity is worked out). Without --auth nothing is verified,
 * but a credential scope's region must still be a region name, and an aws-chunked body is
 * decoded. The caller frees out with auth_result_free. */
void auth_check(const http_request *r, const char *service, int max_skew_s, auth_result *out);
void auth_result_free(auth_result *out);

/* GetFunction: with auth on, Code.Location becomes a URL presigned with the caller's key. */
void auth_presign_code_location(const http_request *r, cJSON *get_function_output);

/* The credentials handlers of a function in `account` get: with auth on, a key of that
 * account from the table (when there is one); otherwise the values are left as they are. */
void auth_handler_credentials(const char *account, const char **access_key, const char **secret);

/* Logs a warning when the server listens beyond loopback without --auth. */
void auth_warn_if_exposed(const config *cfg);
/* True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8, given as numeric text. */
bool auth_address_is_loopback(const char *numeric);
/* True when every address the --host value resolves to is a loopback address. */
bool auth_host_is_loopback(const char *host);

#endif
