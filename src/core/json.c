/* json: strict JSON parsing. cJSON is lenient where a client's mistake must be an error:
 * it treats every byte up to 0x20 as white space, keeps raw control characters inside
 * strings (a raw NUL silently cuts a C string short), skips a UTF-8 byte-order mark and
 * can ignore what follows the value. One lexical pass finds those first; cJSON then parses
 * a text that is well-formed at the byte level. */
#include "sqsemu/json.h"

#include <stdbool.h>
#include <stdio.h>

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Describes a character c found at offset (formats take the character, then the offset). */
static void say(char *why, size_t size, const char *fmt, unsigned c, size_t offset)
{
    if (why && size)
        snprintf(why, size, fmt, c, offset);
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Length of the number token at p[0..len) if it follows RFC 8259's grammar
 * (-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?), else 0. cJSON reads numbers with
 * strtod and so accepts "01", "1." and "-.5". */
static size_t number_length(const unsigned char *p, size_t len)
{
    size_t i = 0;
    if (i < len && p[i] == '-')
        i++;
    if (i < len && p[i] == '0')
        i++;
    else if (i < len && is_digit(p[i]))
        while (i < len && is_digit(p[i]))
            i++;
    else
        return 0;
    if (i < len && p[i] == '.') {
        size_t start = ++i;
        while (i < len && is_digit(p[i]))
            i++;
        if (i == start)
            return 0;
    }
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t start = i;
        while (i < len && is_digit(p[i]))
            i++;
        if (i == start)
            return 0;
    }
    /* A number ends at a delimiter: "01" stops after "0" and "1." after "1". */
    if (i < len && (is_digit(p[i]) || p[i] == '.' || p[i] == 'e' || p[i] == 'E' || p[i] == '+' || p[i] == '-'))
        return 0;
    return i;
}

/* The byte-level rules of RFC 8259 that cJSON does not enforce. */
static bool lexically_clean(const unsigned char *p, size_t len, char *why, size_t why_size)
{
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        say(why, why_size, "a byte-order mark (U+%04X) at offset %zu is not allowed", 0xFEFF, 0);
        return false;
    }
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (in_string) {
            if (c == '\\') {
                i++; /* the escaped character is checked by the parser */
                if (i < len && p[i] < 0x20) {
                    say(why, why_size, "unescaped control character U+%04X at offset %zu", p[i], i);
                    return false;
                }
            } else if (c == '"') {
                in_string = false;
            } else if (c < 0x20) {
                say(why, why_size, "unescaped control character U+%04X at offset %zu", c, i);
                return false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '-' || is_digit(c)) {
            size_t n = number_length(p + i, len - i);
            if (n == 0) {
                say(why, why_size, "malformed number starting with U+%04X at offset %zu", c, i);
                return false;
            }
            i += n - 1;
        } else if (c < 0x20 && !is_space(c)) {
            say(why, why_size, "control character U+%04X at offset %zu", c, i);
            return false;
        }
    }
    return true;
}

cJSON *json_parse_strict(const char *text, size_t len, char *why, size_t why_size)
{
    if (why && why_size)
        why[0] = '\0';
    const unsigned char *p = (const unsigned char *)text;
    if (!lexically_clean(p, len, why, why_size))
        return NULL;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!doc) {
        const char *at = cJSON_GetErrorPtr();
        size_t offset = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
        if (why && why_size)
            snprintf(why, why_size, "malformed JSON near offset %zu", offset);
        return NULL;
    }
    for (size_t i = end ? (size_t)(end - text) : len; i < len; i++) {
        if (!is_space(p[i])) {
            say(why, why_size, "unexpected character U+%04X after the JSON value at offset %zu", p[i], i);
            cJSON_Delete(doc);
            return NULL;
        }
    }
    return doc;
}

/* ---- record setters ---- */

void json_set_owned(cJSON *obj, const char *name, cJSON *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    if (value)
        cJSON_AddItemToObject(obj, name, value);
}

void json_set_copy(cJSON *obj, const char *name, const cJSON *value)
{
    json_set_owned(obj, name, value ? cJSON_Duplicate(value, true) : NULL);
}

void json_set_string(cJSON *obj, const char *name, const char *value)
{
    json_set_owned(obj, name, cJSON_CreateString(value));
}

void json_set_number(cJSON *obj, const char *name, double value)
{
    json_set_owned(obj, name, cJSON_CreateNumber(value));
}
