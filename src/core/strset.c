/* strset: an open-addressing hash set of (pointer, length) byte strings with linear
 * probing, kept at most half full. */
#include "sqsemu/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

static uint64_t hash_bytes(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void strset_init(strset *s)
{
    s->slots = NULL;
    s->cap = 0;
    s->count = 0;
}

void strset_free(strset *s)
{
    free(s->slots);
    strset_init(s);
}

static strset_slot *find_slot(strset_slot *slots, size_t cap, const char *key, size_t len)
{
    size_t i = (size_t)hash_bytes(key, len) & (cap - 1);
    for (;;) {
        strset_slot *slot = &slots[i];
        if (!slot->key || (slot->len == len && memcmp(slot->key, key, len) == 0))
            return slot;
        i = (i + 1) & (cap - 1);
    }
}

static void grow(strset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    strset_slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].key)
            *find_slot(slots, cap, s->slots[i].key, s->slots[i].len) = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
}

void strset_add(strset *s, const char *key, size_t len)
{
    if ((s->count + 1) * 2 > s->cap)
        grow(s);
    strset_slot *slot = find_slot(s->slots, s->cap, key, len);
    if (!slot->key) {
        slot->key = key;
        slot->len = len;
        s->count++;
    }
}

bool strset_contains(const strset *s, const char *key, size_t len)
{
    return s->cap && find_slot(s->slots, s->cap, key, len)->key != NULL;
}
