/* http/connections: the client connections of the API port: how many there are (in all
 * and per client address), and the deadlines a slow client cannot stretch. */
#ifndef SQSEMU_HTTP_CONNECTIONS_H
#define SQSEMU_HTTP_CONNECTIONS_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sqsemu/mhd_glue.h"

typedef struct connection_limits {
    int max_connections;   /* in all, including those still being checked by the listener */
    int max_per_address;   /* from one client address */
    int request_timeout_ms; /* first byte of a request (approximately) to its last body byte */
    int idle_timeout_ms;   /* between two requests of a keep-alive connection */
} connection_limits;

void connections_init(const connection_limits *limits, mhd_binding *mhd);
void connections_free(void);
const connection_limits *connections_limits(void);

/* A place for one connection of a client address; false when a limit is reached (the
 * connection must then be refused). Every successful reserve is undone by a release,
 * either through connections_release_address() or by MHD's close notification. */
bool connections_reserve(const struct sockaddr *addr, socklen_t len);
void connections_release_address(const struct sockaddr *addr, socklen_t len);
/* The connection about to be handed to MHD was accepted at accepted_ms (its first request's
 * deadline counts from there). */
void connections_next_accepted(int64_t accepted_ms);

/* MHD's MHD_OPTION_NOTIFY_CONNECTION callback. */
void connections_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                        enum MHD_ConnectionNotificationCode code);
/* A request's line arrived / the whole request arrived (it is being handled now) / the
 * request is over and the connection idles. */
void connections_request_started(struct MHD_Connection *conn);
void connections_request_received(struct MHD_Connection *conn);
void connections_request_done(struct MHD_Connection *conn);

/* Connections MHD holds now. */
int connections_count(void);

#endif
