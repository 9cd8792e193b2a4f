/* wire: the codec-built response. */
#include "sqsemu/wire.h"

#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

void wire_response_init(wire_response *w)
{
    memset(w, 0, sizeof *w);
    w->status = 200;
    w->content_type = "application/json";
}

void wire_set_body(wire_response *w, int status, const char *content_type, char *body, size_t len)
{
    free(w->body);
    w->status = status;
    w->content_type = content_type;
    w->body = body;
    w->len = len;
}

void wire_add_header(wire_response *w, const char *name, const char *value)
{
    if (w->header_count == WIRE_MAX_HEADERS)
        return;
    w->header_names[w->header_count] = xstrdup(name);
    w->header_values[w->header_count] = xstrdup(value);
    w->header_count++;
}

void wire_response_free(wire_response *w)
{
    free(w->body);
    for (int i = 0; i < w->header_count; i++) {
        free(w->header_names[i]);
        free(w->header_values[i]);
    }
    w->body = NULL;
    w->header_count = 0;
}
