/* form: decodes application/x-www-form-urlencoded data (query strings and form bodies) into
 * an ordered list of name/value pairs; a later duplicate name replaces the earlier value. */
#include "sqsemu/form.h"
#include "sqsemu/codec.h"

#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

void form_params_init(form_params *p)
{
    p->items = NULL;
    p->count = 0;
    p->cap = 0;
}

void form_params_free(form_params *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].name);
        free(p->items[i].value);
    }
    free(p->items);
    form_params_init(p);
}

/* Decodes one url-encoded component into a fresh NUL-terminated buffer.
 * Returns false (and allocates nothing) on a malformed %-escape. */
static bool url_decode(const char *s, size_t n, char **out, size_t *out_len)
{
    char *d = xmalloc(n + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 1 < n ? hex_digit(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(d);
                return false;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        d[len++] = c;
    }
    d[len] = '\0';
    *out = d;
    *out_len = len;
    return true;
}

static void params_push(form_params *p, char *name, char *value, size_t value_len)
{
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = xrealloc(p->items, p->cap * sizeof *p->items);
    }
    p->items[p->count++] = (form_param){.name = name, .value = value, .value_len = value_len};
}

/* Decodes "name[=value]" and appends it. Pairs with an empty name, or a name holding a NUL
 * byte (it can never match a parameter name), are dropped. */
static bool parse_pair(form_params *p, const char *pair, size_t len)
{
    const char *eq = memchr(pair, '=', len);
    size_t name_len = eq ? (size_t)(eq - pair) : len;
    const char *raw_value = eq ? eq + 1 : pair + len;
    size_t raw_value_len = len - (size_t)(raw_value - pair);

    char *name, *value;
    size_t decoded_name_len, value_len;
    if (!url_decode(pair, name_len, &name, &decoded_name_len))
        return false;
    if (!url_decode(raw_value, raw_value_len, &value, &value_len)) {
        free(name);
        return false;
    }
    if (decoded_name_len == 0 || strlen(name) != decoded_name_len) {
        free(name);
        free(value);
        return true;
    }
    params_push(p, name, value, value_len);
    return true;
}

typedef struct name_slot {
    const char *name;
    size_t pos;
} name_slot;

static int compare_slots(const void *a, const void *b)
{
    const name_slot *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Keeps one pair per name: at the position of its first occurrence, with the value of its
 * last. Sorting keeps this O(n log n) however many pairs a large body holds. */
static void remove_duplicates(form_params *p)
{
    if (p->count < 2)
        return;
    name_slot *slots = xmalloc(p->count * sizeof *slots);
    for (size_t i = 0; i < p->count; i++)
        slots[i] = (name_slot){p->items[i].name, i};
    qsort(slots, p->count, sizeof *slots, compare_slots);

    bool *dead = xcalloc(p->count, sizeof *dead);
    for (size_t i = 0; i < p->count;) {
        size_t j = i + 1;
        while (j < p->count && strcmp(slots[i].name, slots[j].name) == 0)
            j++;
        form_param *keep = &p->items[slots[i].pos];
        form_param *last = &p->items[slots[j - 1].pos];
        if (keep != last) {
            char *tmp = keep->value;
            keep->value = last->value;
            last->value = tmp;
            keep->value_len = last->value_len;
        }
        for (size_t k = i + 1; k < j; k++)
            dead[slots[k].pos] = true;
        i = j;
    }

    size_t out = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (dead[i]) {
            free(p->items[i].name);
            free(p->items[i].value);
        } else {
            p->items[out++] = p->items[i];
        }
    }
    p->count = out;
    free(dead);
    free(slots);
}

bool form_parse(form_params *p, const char *data, size_t len)
{
    bool ok = true;
    size_t start = 0;
    while (ok && start < len) {
        const char *amp = memchr(data + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - data) : len;
        if (end > start)
            ok = parse_pair(p, data + start, end - start);
        start = end + 1;
    }
    remove_duplicates(p);
    return ok;
}

const form_param *form_find(const form_params *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    }
    return NULL;
}

static int compare_items_by_name(const void *a, const void *b)
{
    return strcmp((*(const form_param *const *)a)->name, (*(const form_param *const *)b)->name);
}

static form_param **sorted_by_name(const form_params *p)
{
    form_param **order = xmalloc((p->count ? p->count : 1) * sizeof *order);
    for (size_t i = 0; i < p->count; i++)
        order[i] = &p->items[i];
    qsort(order, p->count, sizeof *order, compare_items_by_name);
    return order;
}

static bool same_value(const form_param *a, const form_param *b)
{
    return a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0;
}

/* Both lists hold each name once (form_parse removed duplicates), so a walk over both in
 * name order finds every shared name in O(n log n). */
bool form_merge(form_params *into, form_params *from, const char **conflict)
{
    form_param **a = sorted_by_name(into), **b = sorted_by_name(from);
    bool *shared = xcalloc(from->count ? from->count : 1, sizeof *shared);
    bool ok = true;
    for (size_t i = 0, j = 0; ok && i < into->count && j < from->count;) {
        int c = strcmp(a[i]->name, b[j]->name);
        if (c < 0) {
            i++;
        } else if (c > 0) {
            j++;
        } else if (!same_value(a[i], b[j])) {
            *conflict = b[j]->name;
            ok = false;
        } else {
            shared[b[j] - from->items] = true;
            i++;
            j++;
        }
    }
    if (ok) {
        for (size_t k = 0; k < from->count; k++) {
            if (shared[k]) {
                free(from->items[k].name);
                free(from->items[k].value);
            } else {
                params_push(into, from->items[k].name, from->items[k].value, from->items[k].value_len);
            }
        }
        from->count = 0;
    }
    free(shared);
    free(a);
    free(b);
    return ok;
}
