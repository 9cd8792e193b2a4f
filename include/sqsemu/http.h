/* http: the HTTP front end (libmicrohttpd driven by the event loop). It accumulates request
 * bodies (bounded), hands complete requests to the router, and parks long polls as
 * suspended connections. */
#ifndef SQSEMU_HTTP_H
#define SQSEMU_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/config.h"
#include "sqsemu/ids.h"

typedef struct http_request http_request;

bool http_server_start(const config *cfg);
/* Port actually bound (useful with --port 0). */
int http_server_port(void);
void http_server_stop(void);

/* Request accessors for the router. */
const char *http_method(const http_request *r);
const char *http_path(const http_request *r);  /* raw path, without the query string */
const char *http_query(const http_request *r); /* raw query string ("" when none) */
const char *http_header(const http_request *r, const char *name);
const char *http_body(const http_request *r, size_t *len);
const char *http_request_id(const http_request *r);
const config *http_config(void);

/* Sets the response (takes ownership of body, a malloc'd buffer). */
void http_respond(http_request *r, int status, const char *content_type, char *body, size_t len);
/* Replaces the x-amzn-RequestId of the response (Invoke answers with the invocation's id). */
void http_set_request_id(http_request *r, const char *request_id);
/* Adds a response header (copied); up to six per response. */
void http_add_header(http_request *r, const char *name, const char *value);

/* Parks the request until http_resume(); the router keeps its own state in a slot that
 * the server frees with free_fn when the request ends (also if it never resumes). */
void http_suspend(http_request *r, void *state, void (*free_fn)(void *state));
/* At shutdown a parked request gets finish_now(state), which should answer and resume it. */
void http_on_shutdown(http_request *r, void (*finish_now)(void *state));
void http_resume(http_request *r);

/* ---- SigV4 (--auth) ---- */
/* The identity a verified signature gives the request (freed with free_fn at its end). */
void http_set_auth(http_request *r, void *auth, void (*free_fn)(void *auth));
void *http_auth(const http_request *r);
/* Replaces the body (takes ownership of a malloc'd, NUL-terminated buffer): a decoded aws-chunked payload. */
void http_replace_body(http_request *r, char *body, size_t len);
/* The index-th value of a header that may repeat (case-insensitive name), or NULL. */
const char *http_header_nth(const http_request *r, const char *name, size_t index);

/* Implemented by the router. */
void router_handle(http_request *r);

#endif
