/* http: the HTTP server of the API port (libmicrohttpd driven by the event loop). It knows
 * no product: a table of fronts says which requests each service takes, how large their
 * bodies may be and how they are signed; the server reads bounded bodies, checks
 * signatures, and hands each complete request to its front, which answers it (or parks it:
 * a long poll, a synchronous Invoke). Early refusals (a body over the limit, a full memory
 * budget, a bad signature) are answered by the front too, in its own error shapes. */
#ifndef SQSEMU_HTTP_H
#define SQSEMU_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/config.h"
#include "sqsemu/ids.h"

typedef struct http_request http_request;

/* Why the server answers a request before its front handles it. */
typedef enum http_refusal_kind {
    HTTP_REFUSE_TOO_LARGE,         /* the body is over the front's limit (limit set) */
    HTTP_REFUSE_BUSY,              /* the memory budget for bodies is used up: retry */
    HTTP_REFUSE_AUTH_MISSING,      /* with --auth: no signature at all */
    HTTP_REFUSE_AUTH_INCOMPLETE,   /* signature information malformed or incomplete */
    HTTP_REFUSE_AUTH_UNKNOWN_KEY,  /* the access key id is not known */
    HTTP_REFUSE_AUTH_MISMATCH,     /* wrong signature, scope (also a region that is no region) or payload */
    HTTP_REFUSE_AUTH_SKEWED,       /* the signature's date is too far from the server's clock */
    HTTP_REFUSE_AUTH_EXPIRED,      /* a presigned URL used after its expiry */
    HTTP_REFUSE_STORE_FAILED,      /* answered, but the commit of its writes failed (500) */
} http_refusal_kind;

typedef struct http_refusal {
    http_refusal_kind kind;
    const char *message; /* AWS's text where there is one */
    const char *detail;  /* a signature mismatch: the canonical request and string to sign
                            the server computed (SQS shows them), else NULL */
    size_t limit;        /* HTTP_REFUSE_TOO_LARGE: the front's body limit */
} http_refusal;

/* One service on the port. Fronts are tried in table order; the first whose match() is
 * true takes the request (a catch-all front goes last). */
typedef struct http_front {
    const char *name;
    bool (*match)(const http_request *r);                /* decided on the request line and headers */
    size_t (*body_limit)(const http_request *r);
    /* The SigV4 service the request's signature is scoped to and the clock skew allowed
     * (with --auth); NULL when the request needs no signature (a health check). */
    const char *(*signing_service)(const http_request *r, int *max_skew_s);
    void (*handle)(http_request *r);                     /* answer, or http_suspend() */
    void (*refuse)(http_request *r, const http_refusal *why); /* answer, in the front's error shape */
} http_front;

bool http_server_start(const config *cfg, const http_front *const *fronts, size_t front_count);
/* Port actually bound (useful with --port 0). */
int http_server_port(void);
void http_server_stop(void);

/* ---- the request ---- */
const char *http_method(const http_request *r);
const char *http_path(const http_request *r);  /* raw path, without the query string */
const char *http_query(const http_request *r); /* raw query string ("" when none) */
const char *http_header(const http_request *r, const char *name);
/* The index-th value of a header that may repeat (case-insensitive name), or NULL. */
const char *http_header_nth(const http_request *r, const char *name, size_t index);
const char *http_body(const http_request *r, size_t *len);
const char *http_request_id(const http_request *r);
const config *http_config(void);

/* Who is calling: the account and region of the request, from the verified key (--auth),
 * else from the signature's credential scope (a 12-digit access key id names the account),
 * else the server's defaults. access_key is "" when the request is not signed. */
typedef struct http_identity {
    char account[16];
    char region[64];
    char access_key[129];
    bool verified;
} http_identity;
const http_identity *http_identity_of(const http_request *r);

/* ---- the response ---- */
/* Sets the response (takes ownership of body, a malloc'd buffer). */
void http_respond(http_request *r, int status, const char *content_type, char *body, size_t len);
/* Replaces the x-amzn-RequestId of the response (Invoke answers with the invocation's id). */
void http_set_request_id(http_request *r, const char *request_id);
/* Adds a response header (copied); up to six per response. */
void http_add_header(http_request *r, const char *name, const char *value);

/* What the request's log line names (copied, bounded): the operation ("SendMessage",
 * "Invoke") and the resource it addresses ("queue=orders", "function=f"), either may be
 * NULL; and for an error answer, the error code the client gets. The server logs one
 * line per answered request at info level: front, operation, resource, status, error
 * code, milliseconds, request id. */
void http_describe(http_request *r, const char *operation, const char *resource);
void http_set_error_code(http_request *r, const char *code);

/* Parks the request until http_resume(); the front keeps its own state in a slot that
 * the server frees with free_fn when the request ends (also if it never resumes). */
void http_suspend(http_request *r, void *state, void (*free_fn)(void *state));
/* At shutdown a parked request gets finish_now(state), which should answer and resume it. */
void http_on_shutdown(http_request *r, void (*finish_now)(void *state));
void http_resume(http_request *r);

/* Parked requests right now (long polls and synchronous invocations). */
size_t http_parked_count(void);
/* Group commits made since start-up, and the requests they answered together. */
void http_commit_group_counts(size_t *groups, size_t *requests);

#endif
