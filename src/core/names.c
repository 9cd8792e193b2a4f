/* names: AWS identifier forms. The region rule is the union of the regionRegex values of
 * the partitions in botocore's partitions.json (aws, aws-cn, aws-us-gov, aws-iso*). */
#include "sqsemu/names.h"

#include <string.h>

bool name_is_account_id(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    return n == 12 && s[n] == '\0';
}

static size_t letters(const char *p)
{
    size_t n = 0;
    while (p[n] >= 'a' && p[n] <= 'z')
        n++;
    return n;
}

bool name_is_region(const char *s)
{
    if (strlen(s) >= 64)
        return false;
    size_t n = letters(s);
    if (n < 2 || n > 4 || s[n] != '-')
        return false;
    const char *p = s + n + 1;
    int words = 0;
    for (size_t w; (w = letters(p)) > 0; p += w + 1) {
        if (p[w] != '-')
            return false;
        words++;
    }
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    return (words == 1 || words == 2) && digits > 0 && p[digits] == '\0';
}
