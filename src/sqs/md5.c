/* sqs/md5: MD5OfMessageAttributes / MD5OfMessageSystemAttributes. */
#include "md5.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

static void put_length_prefixed(buf_t *b, const void *data, size_t len)
{
    unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                           (unsigned char)len};
    buf_append(b, be, 4);
    buf_append(b, data, len);
}

static int compare_names(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a;
    const cJSON *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string); /* strcmp compares as unsigned bytes */
}

static bool append_attribute(buf_t *b, const cJSON *attr)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(attr, "DataType");
    const cJSON *string_value = cJSON_GetObjectItemCaseSensitive(attr, "StringValue");
    const cJSON *binary_value = cJSON_GetObjectItemCaseSensitive(attr, "BinaryValue");
    const char *type_text = cJSON_IsString(type) ? type->valuestring : "";
    put_length_prefixed(b, attr->string, strlen(attr->string));
    put_length_prefixed(b, type_text, strlen(type_text));
    if (cJSON_IsString(string_value) && strncmp(type_text, "Binary", 6) != 0) {
        buf_putc(b, 1);
        put_length_prefixed(b, string_value->valuestring, strlen(string_value->valuestring));
        return true;
    }
    if (!cJSON_IsString(binary_value))
        return false;
    size_t raw_len = 0;
    unsigned char *raw = base64_decode(binary_value->valuestring, strlen(binary_value->valuestring), &raw_len);
    if (!raw)
        return false;
    buf_putc(b, 2);
    put_length_prefixed(b, raw, raw_len);
    free(raw);
    return true;
}

bool md5_of_attributes(const cJSON *attributes, char out[MD5_HEX_LEN])
{
    out[0] = '\0';
    int count = cJSON_GetArraySize(attributes);
    if (!cJSON_IsObject(attributes) || count == 0)
        return false;
    const cJSON **sorted = xmalloc((size_t)count * sizeof *sorted);
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, attributes) sorted[n++] = item;
    qsort(sorted, (size_t)n, sizeof *sorted, compare_names);
    buf_t b;
    buf_init(&b);
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        ok = append_attribute(&b, sorted[i]);
    if (ok)
        md5_hex(b.data, b.len, out);
    buf_free(&b);
    free(sorted);
    return ok;
}
