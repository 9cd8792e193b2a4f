/* strset: a set of byte strings for membership tests in O(1) (open addressing, FNV-1a).
 * It stores pointers: the strings must outlive the set. */
#ifndef SQSEMU_STRSET_H
#define SQSEMU_STRSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strset_slot {
    const char *key;
    size_t len;
} strset_slot;

typedef struct strset {
    strset_slot *slots;
    size_t cap;   /* a power of two, or 0 */
    size_t count;
} strset;

void strset_init(strset *s);
void strset_free(strset *s);
/* Adds key[0..len) unless present. */
void strset_add(strset *s, const char *key, size_t len);
bool strset_contains(const strset *s, const char *key, size_t len);

#endif
