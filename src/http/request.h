/* http/request.h: private to http/: one HTTP request of the API port, as server.c reads it
 * and request.c exposes it to the fronts. */
#ifndef SQSEMU_HTTP_REQUEST_H
#define SQSEMU_HTTP_REQUEST_H

#include <microhttpd.h>
#include <stdint.h>

#include "sqsemu/buf.h"
#include "sqsemu/http.h"
#include "sqsemu/mhd_glue.h"

#define MAX_EXTRA_HEADERS 6

/* RECEIVING until the body is in; SUSPENDED while the front parked it (a long poll);
 * HELD while its answer waits for the group commit; RESPONDING once it can be sent. */
typedef enum request_phase { PHASE_RECEIVING, PHASE_SUSPENDED, PHASE_HELD, PHASE_RESPONDING } request_phase;

struct http_request {
    struct MHD_Connection *conn;
    char *raw_uri;
    char *path;
    const char *query;
    const char *method;
    const http_front *front; /* chosen when the headers are in */
    buf_t body;
    bool started;
    bool too_large;
    bool over_budget;        /* the server's body memory budget was exhausted */
    size_t body_limit;
    size_t reserved;         /* bytes of the body budget this request holds */
    request_phase phase;
    char request_id[UUID_STR_LEN];
    http_identity identity;
    char *refusal_text;      /* owned text of an early refusal */
    /* the request log line */
    int64_t started_ms;      /* monotonic */
    char operation[64];
    char resource[320];
    char error_code[96];
    /* response */
    int status;
    const char *content_type;
    char *response_body;
    size_t response_len;
    char *header_names[MAX_EXTRA_HEADERS];
    char *header_values[MAX_EXTRA_HEADERS];
    int header_count;
    /* front state while parked */
    void *state;
    void (*state_free)(void *);
    void (*finish_now)(void *);
    http_request *prev_suspended;
    http_request *next_suspended;
};

/* request.c */
void request_bind(const config *cfg, mhd_binding *mhd);
http_request *request_new(const char *raw_uri);
void request_free(http_request *r);
/* Replaces the body (takes a malloc'd buffer of len bytes + NUL): a decoded aws-chunked payload. */
void request_replace_body(http_request *r, char *body, size_t len);
enum MHD_Result request_send_response(http_request *r);
/* Drops the extra response headers the front added (before an answer is replaced). */
void request_clear_headers(http_request *r);
/* Answers every parked request (finish_now, or an empty 500) so that MHD can stop. */
void request_finish_parked(void);

#endif
