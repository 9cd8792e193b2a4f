/* json: strict parsing of JSON documents received from clients (RFC 8259) into cJSON, and
 * the member setters the services use on their JSON records. */
#ifndef SQSEMU_JSON_H
#define SQSEMU_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Parses exactly one JSON value from text[0..len). Rejects what cJSON alone would let
 * through: a byte-order mark, control characters (U+0000..U+001F) that are not escaped
 * inside strings, control bytes other than tab, LF and CR between tokens, and anything
 * but white space after the value. Returns NULL on any error, with a short reason in why
 * (which may be NULL). */
cJSON *json_parse_strict(const char *text, size_t len, char *why, size_t why_size);

/* Replace obj's member name (removing any previous one) with a string, a number, or a
 * deep copy of value (json_set_copy with NULL only removes). */
void json_set_string(cJSON *obj, const char *name, const char *value);
void json_set_number(cJSON *obj, const char *name, double value);
void json_set_copy(cJSON *obj, const char *name, const cJSON *value);
/* Like json_set_copy, but takes value over. */
void json_set_owned(cJSON *obj, const char *name, cJSON *value);

#endif
