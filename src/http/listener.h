/* http/listener: the API port's listening socket and the check of each new connection's
 * first request line before libmicrohttpd takes the connection. */
#ifndef SQSEMU_HTTP_LISTENER_H
#define SQSEMU_HTTP_LISTENER_H

#include <microhttpd.h>
#include <stdbool.h>

#include "sqsemu/mhd_glue.h"

/* Binds host:port (port 0: any free port) and starts accepting; connections that pass
 * are given to daemon (started with MHD_USE_NO_LISTEN_SOCKET). */
bool listener_start(const char *host, int port, mhd_binding *mhd);
int listener_port(void);
/* Stops accepting and closes the connections still being checked. */
void listener_stop(void);

#endif
