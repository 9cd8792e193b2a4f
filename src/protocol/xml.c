/* xml: text escaping and simple element writing for the query protocol's XML responses. */
#include "sqsemu/xml.h"

#include <string.h>

/* The replacement for c, or NULL when c is written as it is. */
static const char *xml_entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\r':
        return "&#xD;";
    default:
        return NULL;
    }
}

void xml_escape(buf_t *out, const char *text, size_t len)
{
    size_t plain_start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *entity = xml_entity(text[i]);
        if (!entity)
            continue;
        buf_append(out, text + plain_start, i - plain_start);
        buf_puts(out, entity);
        plain_start = i + 1;
    }
    buf_append(out, text + plain_start, len - plain_start);
}

void xml_text_element(buf_t *out, const char *name, const char *text)
{
    buf_printf(out, "<%s>", name);
    if (text)
        xml_escape(out, text, strlen(text));
    buf_printf(out, "</%s>", name);
}
