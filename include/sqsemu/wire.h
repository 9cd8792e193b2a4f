/* wire: a response as a codec builds it (status, content type, body, a few headers),
 * without any HTTP library: the front hands it to the server. */
#ifndef SQSEMU_WIRE_H
#define SQSEMU_WIRE_H

#include <stddef.h>

#define WIRE_MAX_HEADERS 6

typedef struct wire_response {
    int status;
    const char *content_type;
    char *body; /* malloc'd */
    size_t len;
    char *header_names[WIRE_MAX_HEADERS];
    char *header_values[WIRE_MAX_HEADERS];
    int header_count;
    char request_id[37]; /* "" = the server's own */
} wire_response;

void wire_response_init(wire_response *w);
/* Sets the body (takes ownership of a malloc'd buffer). */
void wire_set_body(wire_response *w, int status, const char *content_type, char *body, size_t len);
/* Adds a header (both copied); up to WIRE_MAX_HEADERS. */
void wire_add_header(wire_response *w, const char *name, const char *value);
void wire_response_free(wire_response *w);

#endif
