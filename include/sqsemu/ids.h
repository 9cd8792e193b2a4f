/* ids: random identifiers (UUID v4 request and message ids, random bytes). */
#ifndef SQSEMU_IDS_H
#define SQSEMU_IDS_H

#include <stddef.h>

#define UUID_STR_LEN 37 /* 36 characters + NUL */

/* Writes a lower-case UUID v4 into out. */
void ids_uuid(char out[UUID_STR_LEN]);
/* Fills buf with cryptographically random bytes. */
void ids_random(void *buf, size_t len);

#endif
