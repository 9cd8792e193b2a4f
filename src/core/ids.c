/* ids: random bytes from a buffered pool filled by OpenSSL, and UUID v4 strings made from
 * them with libuuid (one RAND_bytes call serves many ids: ids are on every request's path;
 * libuuid's own generator costs several system calls per id). */
#include "sqsemu/ids.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#define POOL_BYTES 4096

static unsigned char pool[POOL_BYTES];
static size_t pool_used = POOL_BYTES;

static void refill(void)
{
    if (RAND_bytes(pool, (int)sizeof pool) != 1)
        abort();
    pool_used = 0;
}

void ids_random(void *buf, size_t len)
{
    unsigned char *out = buf;
    while (len > 0) {
        if (pool_used == POOL_BYTES)
            refill();
        size_t n = POOL_BYTES - pool_used < len ? POOL_BYTES - pool_used : len;
        memcpy(out, pool + pool_used, n);
        /* Never hand out the same bytes twice. */
        memset(pool + pool_used, 0, n);
        pool_used += n;
        out += n;
        len -= n;
    }
}

void ids_uuid(char out[UUID_STR_LEN])
{
    uuid_t u;
    ids_random(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    uuid_unparse_lower(u, out);
}
