/* lambda/filter_json: the strict JSON parser of filter patterns and record bodies, which
 * keeps the literal text of numbers, and the arena its values (and whatever else their
 * user allocates beside them) live in. */
#ifndef SQSEMU_LAMBDA_FILTER_JSON_H
#define SQSEMU_LAMBDA_FILTER_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Blocks of memory freed all at once. Zero-initialised, it is empty. */
typedef struct filter_arena {
    struct arena_block *head;
} filter_arena;

/* size bytes aligned for any type, valid until filter_arena_release (never NULL). */
void *filter_arena_alloc(filter_arena *a, size_t size);
/* Frees every block; the arena is empty (and usable) again. */
void filter_arena_release(filter_arena *a);

typedef enum {
    JV_NULL,
    JV_FALSE,
    JV_TRUE,
    JV_NUMBER,
    JV_STRING,
    JV_ARRAY,
    JV_OBJECT,
    JV_OTHER, /* a cJSON node of no JSON type (raw, invalid): never matches anything */
} jv_kind;

typedef struct jv {
    jv_kind kind;
    const char *text; /* string: decoded bytes (NUL-terminated); number: literal text */
    size_t len;
    double num;       /* number value */
    const char *key;  /* member name when the value is inside an object */
    size_t key_len;
    size_t count;     /* number of children (array/object) */
    struct jv *first; /* children in document order */
    struct jv *next;
} jv;

/* Parses a complete JSON document (RFC 8259, nothing but whitespace may follow; at most
 * 512 levels deep) into values allocated in a. NULL when the text is not such a document
 * (what was allocated stays in a until it is released). */
jv *filter_json_parse(filter_arena *a, const char *text, size_t len);

#endif
