/* auth_keys: the table of access keys sqsemu accepts with --auth: read from a key file
 * (one "KEY SECRET [ACCOUNT]" a line, '#' comments) and from --auth-key KEY:SECRET[:ACCOUNT]. */
#ifndef SQSEMU_AUTH_KEYS_H
#define SQSEMU_AUTH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/sigv4.h"

/* Adds one key. err gets a message (never the secret) when the key is not acceptable. */
bool auth_keys_add(sigv4_keys *keys, const char *access_key, const char *secret, const char *account, char *err,
                   size_t err_size);
/* Parses and adds "KEY:SECRET[:ACCOUNT]". */
bool auth_keys_add_spec(sigv4_keys *keys, const char *spec, char *err, size_t err_size);
/* Reads a key file. *exposed is set when the file is readable or writable by group or
 * others. err names the line of a malformed entry. */
bool auth_keys_load_file(sigv4_keys *keys, const char *path, bool *exposed, char *err, size_t err_size);
void auth_keys_free(sigv4_keys *keys);

/* The account requests signed with the key act in: the key's ACCOUNT; else, as without
 * --auth, a 12-digit access key id; else default_account. */
const char *auth_key_account(const sigv4_key *key, const char *default_account);

#endif
