/* xml: the small XML writer used for query-protocol responses. */
#ifndef SQSEMU_XML_H
#define SQSEMU_XML_H

#include <stddef.h>

#include "sqsemu/buf.h"

/* Appends text escaped for an XML text node: & < > " and CR (as &#xD;), as AWS SQS does. */
void xml_escape(buf_t *out, const char *text, size_t len);

/* Appends <name>escaped text</name>. */
void xml_text_element(buf_t *out, const char *name, const char *text);

#endif
