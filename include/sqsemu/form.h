/* form: application/x-www-form-urlencoded and URL query-string decoding into a flat,
 * ordered list of name/value pairs (values are length-counted: they may hold any byte). */
#ifndef SQSEMU_FORM_H
#define SQSEMU_FORM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct form_param {
    char *name;       /* decoded, NUL-terminated */
    char *value;      /* decoded, NUL-terminated, may contain NUL bytes before value_len */
    size_t value_len;
} form_param;

typedef struct form_params {
    form_param *items;
    size_t count;
    size_t cap;
} form_params;

void form_params_init(form_params *p);
void form_params_free(form_params *p);

/* Decodes "a=1&b=x+y%20z" and appends the pairs. '+' is a space, %XX a byte.
 * Within one call a later pair with the same name replaces the earlier value.
 * Returns false on a malformed %-escape. */
bool form_parse(form_params *p, const char *data, size_t len);

/* Moves the pairs of from (a form body) into into (the query string's pairs). A name both
 * hold with the same value is kept once; with different values the merge is refused:
 * returns false and points *conflict at the name (in from, valid until it is freed).
 * from is left empty on success. */
bool form_merge(form_params *into, form_params *from, const char **conflict);

/* Looks a parameter up by exact (case-sensitive) name; NULL when absent. */
const form_param *form_find(const form_params *p, const char *name);

#endif
