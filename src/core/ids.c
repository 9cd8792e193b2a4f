/* ids: UUID v4 strings (libuuid) and random bytes (OpenSSL). */
#include "sqsemu/ids.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <uuid/uuid.h>

void ids_uuid(char out[UUID_STR_LEN])
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

void ids_random(void *buf, size_t len)
{
    if (RAND_bytes(buf, (int)len) != 1)
        abort();
}
