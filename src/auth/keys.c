/* auth/keys: the access-key table behind --auth FILE and --auth-key. */
#include "sqsemu/auth_keys.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqsemu/buf.h"
#include "sqsemu/names.h"

#define MAX_KEY_LEN 128
#define MAX_SECRET_LEN 256

/* Access key ids go into "Credential=KEY/date/...", so they cannot hold '/', ',', '='
 * or white space; AWS's own are upper-case letters and digits. */
static bool valid_key_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_KEY_LEN)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'))
            return false;
    }
    return true;
}

static bool valid_secret(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_SECRET_LEN)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isgraph((unsigned char)*p))
            return false;
    }
    return true;
}

bool auth_keys_add(sigv4_keys *keys, const char *access_key, const char *secret, const char *account, char *err,
                   size_t err_size)
{
    if (!valid_key_id(access_key)) {
        snprintf(err, err_size, "the access key id must be 1 to %d letters, digits or -_.~", MAX_KEY_LEN);
        return false;
    }
    if (!valid_secret(secret)) {
        snprintf(err, err_size, "the secret of %s must be 1 to %d printable characters without spaces", access_key,
                 MAX_SECRET_LEN);
        return false;
    }
    if (account && *account && !name_is_account_id(account)) {
        snprintf(err, err_size, "the account of %s must be 12 digits", access_key);
        return false;
    }
    if (sigv4_keys_find(keys, access_key)) {
        snprintf(err, err_size, "the access key id %s is given twice", access_key);
        return false;
    }
    keys->items = xrealloc(keys->items, (keys->count + 1) * sizeof *keys->items);
    sigv4_key *k = &keys->items[keys->count++];
    memset(k, 0, sizeof *k);
    k->access_key = xstrdup(access_key);
    k->secret = xstrdup(secret);
    snprintf(k->account, sizeof k->account, "%s", account ? account : "");
    return true;
}

bool auth_keys_add_spec(sigv4_keys *keys, const char *spec, char *err, size_t err_size)
{
    char *copy = xstrdup(spec);
    char *fields[3] = {0};
    int n = 0;
    char *p = copy;
    bool too_many = false;
    for (;;) {
        char *colon = strchr(p, ':');
        if (n == 3) {
            too_many = true;
            break;
        }
        fields[n++] = p;
        if (!colon)
            break;
        *colon = '\0';
        p = colon + 1;
    }
    bool ok;
    if (too_many || n < 2) {
        snprintf(err, err_size, "expected KEY:SECRET or KEY:SECRET:ACCOUNT");
        ok = false;
    } else {
        ok = auth_keys_add(keys, fields[0], fields[1], n == 3 ? fields[2] : NULL, err, err_size);
    }
    OPENSSL_cleanse(copy, strlen(spec));
    free(copy);
    return ok;
}

bool auth_keys_load_file(sigv4_keys *keys, const char *path, bool *exposed, char *err, size_t err_size)
{
    *exposed = false;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0)
        *exposed = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int number = 0;
    size_t before = keys->count;
    bool ok = true;
    while (ok && (len = getline(&line, &cap, f)) >= 0) {
        number++;
        char *fields[4] = {0};
        int n = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
            if (n == 0 && tok[0] == '#')
                break;
            if (n < 4)
                fields[n] = tok;
            n++;
        }
        if (n == 0)
            continue;
        char why[256];
        if (n < 2 || n > 3) {
            snprintf(err, err_size, "%s:%d: expected KEY SECRET [ACCOUNT], found %d field%s", path, number, n,
                     n == 1 ? "" : "s");
            ok = false;
        } else if (!auth_keys_add(keys, fields[0], fields[1], n == 3 ? fields[2] : NULL, why, sizeof why)) {
            snprintf(err, err_size, "%s:%d: %s", path, number, why);
            ok = false;
        }
    }
    if (line) {
        OPENSSL_cleanse(line, cap);
        free(line);
    }
    if (ok && ferror(f)) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
        ok = false;
    }
    fclose(f);
    if (ok && keys->count == before) {
        snprintf(err, err_size, "%s holds no keys (expected lines of KEY SECRET [ACCOUNT])", path);
        ok = false;
    }
    return ok;
}

void auth_keys_free(sigv4_keys *keys)
{
    for (size_t i = 0; i < keys->count; i++) {
        OPENSSL_cleanse(keys->items[i].secret, strlen(keys->items[i].secret));
        free(keys->items[i].secret);
        free(keys->items[i].access_key);
    }
    free(keys->items);
    keys->items = NULL;
    keys->count = 0;
}

const char *auth_key_account(const sigv4_key *key, const char *default_account)
{
    if (key->account[0])
        return key->account;
    if (name_is_account_id(key->access_key))
        return key->access_key;
    return default_account;
}
