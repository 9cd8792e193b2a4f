/* http/connections: counts and deadlines of the API port's client connections.
 *
 * A connection lives in two places: first with the listener, which checks its first
 * request line, then with libmicrohttpd. Its place is reserved when it is accepted
 * (connections_reserve: the global limit and the limit per client address) and given back
 * when either lets it go. Once MHD has it, it is tracked here from MHD's "started" to its
 * "closed" notification, moving between three states:
 *
 *   REQUEST  a request is arriving: it must be complete (headers and body) by a deadline
 *            counted from its start (the accept for the first request, the request line
 *            for later ones). Trickling bytes does not move it, unlike MHD's own timeout.
 *   BUSY     the request is being answered (maybe a parked long poll): no deadline.
 *   IDLE     between requests: closed after the idle timeout, counted from the end of the
 *            last request, so a request line trickled byte by byte cannot hold it either.
 *
 * Each deadline is a timer of the event loop (no polling); when one fires, a connection
 * still in REQUEST gets a 408, and the socket is shut down so that MHD closes it. */
#include "connections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"

typedef enum conn_state { CONN_REQUEST, CONN_BUSY, CONN_IDLE } conn_state;

/* A client address (IPv4 or IPv6, without the port) and its connections. */
typedef struct address_count {
    unsigned char key[17]; /* family byte + address */
    int count;
} address_count;

typedef struct tracked {
    int fd;
    unsigned char key[17];
    conn_state state;
    bool first_request;
    int64_t accepted_ms;
    sq_timer timer;
} tracked;

static struct {
    connection_limits limits;
    mhd_binding *mhd;
    address_count *addresses;
    size_t address_count;
    size_t address_cap;
    int reserved; /* connections accepted and not yet let go */
    int tracked;  /* of which MHD holds */
    int64_t next_accepted_ms;
} C;

void connections_init(const connection_limits *limits, mhd_binding *mhd)
{
    memset(&C, 0, sizeof C);
    C.limits = *limits;
    C.mhd = mhd;
}

void connections_free(void)
{
    free(C.addresses);
    C.addresses = NULL;
    C.address_count = C.address_cap = 0;
}

const connection_limits *connections_limits(void)
{
    return &C.limits;
}

int connections_count(void)
{
    return C.tracked;
}

static void address_key(const struct sockaddr *addr, unsigned char key[17])
{
    memset(key, 0, 17);
    if (addr && addr->sa_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)addr)->sin_addr, 4);
    } else if (addr && addr->sa_family == AF_INET6) {
        key[0] = 6;
        memcpy(key + 1, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
    }
}

static address_count *find_address(const unsigned char key[17], bool create)
{
    for (size_t i = 0; i < C.address_count; i++) {
        if (memcmp(C.addresses[i].key, key, 17) == 0)
            return &C.addresses[i];
    }
    if (!create)
        return NULL;
    if (C.address_count == C.address_cap) {
        C.address_cap = C.address_cap ? C.address_cap * 2 : 8;
        C.addresses = xrealloc(C.addresses, C.address_cap * sizeof *C.addresses);
    }
    address_count *a = &C.addresses[C.address_count++];
    memcpy(a->key, key, 17);
    a->count = 0;
    return a;
}

static void release_key(const unsigned char key[17])
{
    address_count *a = find_address(key, false);
    if (a && --a->count <= 0)
        *a = C.addresses[--C.address_count]; /* order does not matter */
    if (C.reserved > 0)
        C.reserved--;
}

bool connections_reserve(const struct sockaddr *addr, socklen_t len)
{
    (void)len;
    unsigned char key[17];
    address_key(addr, key);
    if (C.reserved >= C.limits.max_connections)
        return false;
    address_count *a = find_address(key, true);
    if (a->count >= C.limits.max_per_address) {
        if (a->count == 0)
            *a = C.addresses[--C.address_count];
        return false;
    }
    a->count++;
    C.reserved++;
    return true;
}

void connections_release_address(const struct sockaddr *addr, socklen_t len)
{
    (void)len;
    unsigned char key[17];
    address_key(addr, key);
    release_key(key);
}

void connections_next_accepted(int64_t accepted_ms)
{
    C.next_accepted_ms = accepted_ms;
}

/* ---- deadlines ---- */

static const char timeout_response[] = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\n"
                                       "Connection: close\r\nContent-Length: 51\r\n\r\n"
                                       "The request did not arrive in time; send it again.\n";

static void on_deadline(void *arg)
{
    tracked *t = arg;
    if (t->state == CONN_REQUEST) {
        log_debug("closing a connection whose request did not arrive within %d ms", C.limits.request_timeout_ms);
        /* Nothing of a response has been written yet: the 408 is the only output. */
        ssize_t ignored = write(t->fd, timeout_response, sizeof timeout_response - 1);
        (void)ignored;
    } else {
        log_debug("closing a connection idle for %d ms", C.limits.idle_timeout_ms);
    }
    shutdown(t->fd, SHUT_RDWR); /* MHD sees the end of the stream and closes the connection */
    mhd_kick(C.mhd);
}

static void arm(tracked *t, int64_t due_ms)
{
    timers_arm(loop_real_timers(), &t->timer, due_ms, on_deadline, t);
}

static tracked *tracked_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void connections_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        tracked *t = xcalloc(1, sizeof *t);
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        t->fd = fd ? fd->connect_fd : -1;
        address_key(addr ? addr->client_addr : NULL, t->key);
        t->state = CONN_REQUEST;
        t->first_request = true;
        t->accepted_ms = C.next_accepted_ms ? C.next_accepted_ms : clock_monotonic_ms();
        C.next_accepted_ms = 0;
        C.tracked++;
        arm(t, t->accepted_ms + C.limits.request_timeout_ms);
        *socket_context = t;
        return;
    }
    tracked *t = *socket_context;
    if (!t)
        return;
    timers_cancel(loop_real_timers(), &t->timer);
    release_key(t->key);
    C.tracked--;
    free(t);
    *socket_context = NULL;
}

void connections_request_started(struct MHD_Connection *conn)
{
    tracked *t = tracked_of(conn);
    if (!t)
        return;
    /* The first request's deadline runs from the accept (its line was read before). */
    if (!t->first_request)
        arm(t, clock_monotonic_ms() + C.limits.request_timeout_ms);
    t->first_request = false;
    t->state = CONN_REQUEST;
}

void connections_request_received(struct MHD_Connection *conn)
{
    tracked *t = tracked_of(conn);
    if (!t)
        return;
    timers_cancel(loop_real_timers(), &t->timer);
    t->state = CONN_BUSY;
}

void connections_request_done(struct MHD_Connection *conn)
{
    tracked *t = tracked_of(conn);
    if (!t)
        return;
    t->state = CONN_IDLE;
    arm(t, clock_monotonic_ms() + C.limits.idle_timeout_ms);
}
