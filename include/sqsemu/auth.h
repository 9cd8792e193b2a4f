/* auth: SigV4 verification of the requests on the API port (--auth FILE, --auth-key).
 *
 * auth_check_request() runs before any dispatch. With auth off it only decodes aws-chunked
 * bodies; with auth on it verifies the signature (header or query string) and either
 * records the caller's identity on the request or answers it with AWS's error in the
 * shape of the front the request is for (SQS JSON, SQS query, Lambda REST). */
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

/* The check before dispatch: true = go on; false = the request has been answered. */
bool auth_check_request(http_request *r);

/* Who a verified request comes from (NULL when auth is off or for exempt paths). */
typedef struct auth_identity {
    char account[16];
    char region[64];
    char access_key[129];
} auth_identity;
const auth_identity *auth_identity_of(const http_request *r);

/* The error shapes, one per front. */
void auth_render_sqs_json(http_request *r, const sigv4_result *failure);
void auth_render_sqs_query(http_request *r, const sigv4_result *failure);
void auth_render_lambda(http_request *r, const sigv4_result *failure);

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
