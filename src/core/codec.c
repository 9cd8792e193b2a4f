/* codec: base64, hex, MD5 and SHA-256 on top of OpenSSL's libcrypto. */
#include "sqsemu/codec.h"

#include <openssl/evp.h>
#include <string.h>

#include "sqsemu/buf.h"

char *base64_encode(const void *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    out[n] = '\0';
    return out;
}

static bool is_base64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

unsigned char *base64_decode(const char *text, size_t text_len, size_t *out_len)
{
    if (text_len % 4 != 0)
        return NULL;
    size_t padding = 0;
    if (text_len >= 1 && text[text_len - 1] == '=')
        padding++;
    if (text_len >= 2 && text[text_len - 2] == '=')
        padding++;
    for (size_t i = 0; i < text_len - padding; i++) {
        if (!is_base64_char((unsigned char)text[i]))
            return NULL;
    }
    unsigned char *out = xmalloc(text_len / 4 * 3 + 1);
    int n = text_len ? EVP_DecodeBlock(out, (const unsigned char *)text, (int)text_len) : 0;
    if (n < 0) {
        free(out);
        return NULL;
    }
    *out_len = (size_t)n - padding;
    out[*out_len] = '\0';
    return out;
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void hex_encode(const unsigned char *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

static void digest_hex(const EVP_MD *md, const void *data, size_t len, char *out)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data, len, digest, &n, md, NULL);
    hex_encode(digest, n, out);
}

/* Fetched once: OpenSSL 3 looks an algorithm up again on every EVP_md5() digest. */
static const EVP_MD *fetched(EVP_MD **slot, const char *name)
{
    if (!*slot)
        *slot = EVP_MD_fetch(NULL, name, NULL);
    return *slot;
}

static EVP_MD *md5_algorithm;
static EVP_MD *sha256_algorithm;

void md5_hex(const void *data, size_t len, char out[MD5_HEX_LEN])
{
    digest_hex(fetched(&md5_algorithm, "MD5"), data, len, out);
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN])
{
    digest_hex(fetched(&sha256_algorithm, "SHA256"), data, len, out);
}

char *percent_decode(const char *s, size_t len, size_t *out_len)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi = s[i] == '%' && i + 2 < len ? hex_digit(s[i + 1]) : -1;
        int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
        if (lo >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    if (out_len)
        *out_len = n;
    return out;
}
