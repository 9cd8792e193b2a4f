/* http/listener: accepting connections on the API port.
 *
 * libmicrohttpd closes a connection whose request line it cannot parse without a word,
 * and waits for a line that never ends until its idle timeout. So sqsemu accepts the
 * connections itself and looks at (peeks, without consuming) each new connection's first
 * request line before handing the socket to MHD:
 *
 *   accept    the connection takes a place (connections_reserve: the global limit and the
 *             limit per client address); over a limit it gets 503 and is closed.
 *   check     when bytes arrive, the first line must be "METHOD SP target SP HTTP/1.x":
 *             otherwise 400 (505 for another HTTP version, 414 for a line longer than the
 *             buffer); the header fields that follow may hold no control characters (400).
 *             A head that is not complete within the request timeout gets 408.
 *   hand over a good line: MHD_add_connection(), and MHD reads the request from the start.
 *
 * Later requests on a kept-alive connection are MHD's; their deadlines are in
 * http/connections. Accepting pauses for a moment when the process is out of descriptors,
 * so that a full table does not make the loop spin. */
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/epoll.h>

#include "connections.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"

#define FIRST_LINE_MAX 8192
#define ACCEPTS_PER_WAKE 64
#define ACCEPT_PAUSE_MS 100

typedef struct pending {
    int fd;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int64_t accepted_ms;
    loop_watch watch;
    sq_timer timer;
    struct pending *prev, *next;
} pending;

static struct {
    int fd;
    int port;
    loop_watch watch;
    bool watching;
    sq_timer resume_timer;
    mhd_binding *mhd;
    pending *head;
} L = {.fd = -1};

/* ---- answering and closing a connection MHD never sees ---- */

static void send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* a full buffer or a gone client: the answer is best effort */
        data += n;
        len -= (size_t)n;
    }
}

/* Reads what the client sent (so that closing does not reset the connection before it
 * reads the answer), sends the answer and closes. */
static void answer_and_close(int fd, int status, const char *reason, const char *text)
{
    char drain[4096];
    for (int i = 0; i < 16 && recv(fd, drain, sizeof drain, MSG_DONTWAIT) > 0; i++)
        ;
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
               status, reason, strlen(text), text);
    send_all(fd, b.data, b.len);
    buf_free(&b);
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void pending_unlink(pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        L.head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    loop_unwatch_fd(&p->watch);
    timers_cancel(loop_real_timers(), &p->timer);
}

static void pending_reject(pending *p, int status, const char *reason, const char *text)
{
    pending_unlink(p);
    log_debug("refused a connection: %d %s", status, reason);
    answer_and_close(p->fd, status, reason, text);
    connections_release_address((struct sockaddr *)&p->addr, p->addr_len);
    free(p);
}

/* ---- the first request line ---- */

typedef enum line_verdict { LINE_INCOMPLETE, LINE_OK, LINE_BAD, LINE_VERSION, LINE_TOO_LONG, LINE_CONTROL } line_verdict;

/* RFC 9110 token characters. */
static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* "HTTP/" digits ["." digits]: a version, even one this server does not speak. */
static bool is_version(const char *v, size_t n)
{
    if (n < 6 || memcmp(v, "HTTP/", 5) != 0)
        return false;
    size_t i = 5, digits = 0, dots = 0;
    for (; i < n; i++) {
        if (v[i] >= '0' && v[i] <= '9')
            digits++;
        else if (v[i] == '.' && digits && !dots)
            dots++, digits = 0;
        else
            return false;
    }
    return digits > 0;
}

/* The header section after a good request line: no control characters but tab in field
 * lines (RFC 9110 5.5; libmicrohttpd would cut a value short at a NUL). It is waited for
 * until it ends; one longer than the buffer goes to MHD unchecked (MHD bounds it). */
static line_verdict check_fields(const char *p, size_t len, bool buffer_full)
{
    bool line_start = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n') {
            if (line_start)
                return LINE_OK; /* the empty line that ends the header section */
            line_start = true;
            continue;
        }
        if (c == '\r' && i + 1 < len && p[i + 1] == '\n')
            continue;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return LINE_CONTROL;
        line_start = false;
    }
    return buffer_full ? LINE_OK : LINE_INCOMPLETE;
}

static line_verdict check_line(const char *data, size_t len)
{
    /* Empty lines before a request are allowed (RFC 9112 2.2). */
    size_t start = 0;
    while (start < len && (data[start] == '\r' || data[start] == '\n'))
        start++;
    const char *line = data + start;
    size_t avail = len - start;
    const char *lf = memchr(line, '\n', avail);
    if (!lf)
        return len >= FIRST_LINE_MAX ? LINE_TOO_LONG : LINE_INCOMPLETE;
    size_t n = (size_t)(lf - line);
    if (n > 0 && line[n - 1] == '\r')
        n--;
    size_t i = 0;
    while (i < n && i < 32 && is_tchar((unsigned char)line[i]))
        i++;
    if (i == 0 || i >= n || line[i] != ' ')
        return LINE_BAD;
    size_t target = ++i;
    while (i < n && (unsigned char)line[i] > 0x20 && (unsigned char)line[i] != 0x7f)
        i++;
    if (i == target || i >= n || line[i] != ' ')
        return LINE_BAD;
    if (line[target] != '/' && line[target] != '*' && strncmp(line + target, "http://", 7) != 0 &&
        strncmp(line + target, "https://", 8) != 0)
        return LINE_BAD;
    const char *version = line + i + 1;
    size_t version_len = n - i - 1;
    if (!is_version(version, version_len))
        return LINE_BAD;
    if (!(version_len == 8 && (memcmp(version, "HTTP/1.1", 8) == 0 || memcmp(version, "HTTP/1.0", 8) == 0)))
        return LINE_VERSION;
    return check_fields(lf + 1, avail - (size_t)(lf + 1 - line), len >= FIRST_LINE_MAX);
}

static void hand_over(pending *p)
{
    pending_unlink(p);
    connections_next_accepted(p->accepted_ms);
    /* MHD owns (and closes) the socket from here on, also when it refuses it. */
    if (MHD_add_connection(L.mhd->daemon, p->fd, (struct sockaddr *)&p->addr, p->addr_len) != MHD_YES) {
        log_warn("the HTTP server could not take a connection: %s", strerror(errno));
        connections_next_accepted(0);
        connections_release_address((struct sockaddr *)&p->addr, p->addr_len);
    }
    mhd_kick(L.mhd);
    free(p);
}

static void on_pending_readable(void *arg, uint32_t events)
{
    (void)events;
    pending *p = arg;
    char buf[FIRST_LINE_MAX];
    ssize_t n = recv(p->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* closed before sending anything */
        pending_unlink(p);
        close(p->fd);
        connections_release_address((struct sockaddr *)&p->addr, p->addr_len);
        free(p);
        return;
    }
    switch (check_line(buf, (size_t)n)) {
    case LINE_INCOMPLETE: return; /* more is on its way (the timer bounds the wait) */
    case LINE_OK: hand_over(p); return;
    case LINE_BAD:
        pending_reject(p, 400, "Bad Request", "The request line is not METHOD SP request-target SP HTTP/1.1.\n");
        return;
    case LINE_VERSION: pending_reject(p, 505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are served.\n"); return;
    case LINE_TOO_LONG: pending_reject(p, 414, "URI Too Long", "The request line is longer than 8192 bytes.\n"); return;
    case LINE_CONTROL:
        pending_reject(p, 400, "Bad Request", "A header field holds a control character.\n");
        return;
    }
}

static void on_pending_timeout(void *arg)
{
    pending_reject(arg, 408, "Request Timeout", "The request did not arrive in time; send it again.\n");
}

/* ---- accepting ---- */

static void on_listen_readable(void *arg, uint32_t events);

static void resume_accepting(void *arg)
{
    (void)arg;
    if (!L.watching && L.fd >= 0)
        L.watching = loop_watch_fd(&L.watch, L.fd, EPOLLIN, on_listen_readable, NULL);
}

static void pause_accepting(void)
{
    if (L.watching)
        loop_unwatch_fd(&L.watch);
    L.watching = false;
    timers_arm(loop_real_timers(), &L.resume_timer, clock_monotonic_ms() + ACCEPT_PAUSE_MS, resume_accepting, NULL);
}

static void accept_one(int fd, const struct sockaddr_storage *addr, socklen_t len)
{
    if (!connections_reserve((const struct sockaddr *)addr, len)) {
        log_debug("refused a connection: the connection limit is reached");
        answer_and_close(fd, 503, "Service Unavailable",
                         "Too many connections (see --max-connections and --max-connections-per-ip); retry later.\n");
        return;
    }
    pending *p = xcalloc(1, sizeof *p);
    p->fd = fd;
    p->addr = *addr;
    p->addr_len = len;
    p->accepted_ms = clock_monotonic_ms();
    p->next = L.head;
    if (L.head)
        L.head->prev = p;
    L.head = p;
    timers_arm(loop_real_timers(), &p->timer, p->accepted_ms + connections_limits()->request_timeout_ms,
               on_pending_timeout, p);
    if (!loop_watch_fd(&p->watch, fd, EPOLLIN, on_pending_readable, p))
        pending_reject(p, 503, "Service Unavailable", "The server cannot watch more connections now.\n");
}

static void on_listen_readable(void *arg, uint32_t events)
{
    (void)arg;
    (void)events;
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int fd = accept4(L.fd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            accept_one(fd, &addr, len);
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            log_warn("cannot accept connections: %s (pausing for %d ms)", strerror(errno), ACCEPT_PAUSE_MS);
            pause_accepting();
        }
        return; /* EAGAIN, or an error of one connection (ECONNABORTED...) */
    }
}

bool listener_start(const char *host, int port, mhd_binding *mhd)
{
    L.mhd = mhd;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *addr = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &addr);
    if (rc != 0) {
        log_error("cannot resolve --host %s: %s", host, gai_strerror(rc));
        return false;
    }
    L.fd = socket(addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    bool ok = L.fd >= 0 && setsockopt(L.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
              bind(L.fd, addr->ai_addr, addr->ai_addrlen) == 0 && listen(L.fd, 1024) == 0;
    freeaddrinfo(addr);
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    if (ok)
        ok = getsockname(L.fd, (struct sockaddr *)&bound, &bound_len) == 0;
    if (!ok) {
        log_error("cannot listen on %s:%d: %s (address in use or not permitted?)", host, port, strerror(errno));
        if (L.fd >= 0)
            close(L.fd);
        L.fd = -1;
        return false;
    }
    L.port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                         : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    L.watching = loop_watch_fd(&L.watch, L.fd, EPOLLIN, on_listen_readable, NULL);
    return L.watching;
}

int listener_port(void)
{
    return L.port;
}

void listener_stop(void)
{
    timers_cancel(loop_real_timers(), &L.resume_timer);
    if (L.watching)
        loop_unwatch_fd(&L.watch);
    L.watching = false;
    while (L.head) {
        pending *p = L.head;
        pending_unlink(p);
        close(p->fd);
        connections_release_address((struct sockaddr *)&p->addr, p->addr_len);
        free(p);
    }
    if (L.fd >= 0)
        close(L.fd);
    L.fd = -1;
}
