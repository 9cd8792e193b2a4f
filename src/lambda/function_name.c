/* lambda/function_name: the four FunctionName forms (name, name:qualifier, partial ARN,
 * full ARN) and the errors AWS gives for each kind of mismatch. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "function.h"

#define NAME_PATTERN                                                                                                  \
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?" \
    "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"

static bool name_chars_valid(const char *s, size_t len, bool allow_dollar)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!isalnum((unsigned char)c) && c != '-' && c != '_' && !(allow_dollar && c == '$'))
            return false;
    }
    return true;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
    }
    return len > 0;
}

static bool pattern_error(const char *text, lambda_error *err)
{
    return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                       "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member "
                       "must satisfy regular expression pattern: " NAME_PATTERN, text);
}

static bool copy_field(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

bool function_ref_parse(const lambda_ctx *ctx, const char *text, function_ref *out, lambda_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->account, sizeof out->account, "%s", ctx->account);
    snprintf(out->region, sizeof out->region, "%s", ctx->region);
    size_t total = strlen(text);
    if (total > 170)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "
                           "Member must have length less than or equal to 140", text);
    /* Split on ':' (at most 8 fields). */
    const char *fields[9];
    size_t lens[9];
    int n = 0;
    const char *p = text;
    while (n < 9) {
        const char *colon = strchr(p, ':');
        fields[n] = p;
        lens[n] = colon ? (size_t)(colon - p) : strlen(p);
        n++;
        if (!colon)
            break;
        p = colon + 1;
    }
    const char *name = NULL, *qualifier = NULL;
    size_t name_len = 0, qualifier_len = 0;
    if (n >= 7 && lens[0] == 3 && strncmp(fields[0], "arn", 3) == 0) {
        if (n > 8 || strncmp(fields[2], "lambda", lens[2]) != 0 || lens[2] != 6 || lens[5] != 8 ||
            strncmp(fields[5], "function", 8) != 0 || !all_digits(fields[4], lens[4]) || lens[4] != 12)
            return pattern_error(text, err);
        /* A region too long for the record must not leave the caller's region in place. */
        if (!copy_field(out->region, sizeof out->region, fields[3], lens[3]))
            return pattern_error(text, err);
        copy_field(out->account, sizeof out->account, fields[4], lens[4]);
        out->has_arn_account = true;
        name = fields[6], name_len = lens[6];
        if (n == 8)
            qualifier = fields[7], qualifier_len = lens[7];
    } else if (n >= 3 && lens[0] == 12 && all_digits(fields[0], 12) && lens[1] == 8 &&
               strncmp(fields[1], "function", 8) == 0) {
        if (n > 4)
            return pattern_error(text, err);
        copy_field(out->account, sizeof out->account, fields[0], 12);
        out->has_arn_account = true;
        name = fields[2], name_len = lens[2];
        if (n == 4)
            qualifier = fields[3], qualifier_len = lens[3];
    } else {
        if (n > 2)
            return pattern_error(text, err);
        name = fields[0], name_len = lens[0];
        if (n == 2)
            qualifier = fields[1], qualifier_len = lens[1];
    }
    if (!name_chars_valid(name, name_len, false) || (qualifier && !name_chars_valid(qualifier, qualifier_len, true)))
        return pattern_error(text, err);
    if (name_len > 64)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "
                           "Member must have length less than or equal to 64", text);
    copy_field(out->name, sizeof out->name, name, name_len);
    /* A qualifier too long for the record is an invalid name, not an unqualified one. */
    if (qualifier && !copy_field(out->qualifier, sizeof out->qualifier, qualifier, qualifier_len))
        return pattern_error(text, err);
    if (strcmp(out->region, ctx->region) != 0)
        return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Functions from '%s' are not reachable in this region ('%s')",
                           out->region, ctx->region);
    if (strcmp(out->account, ctx->account) != 0)
        return lambda_fail(err, LAMBDA_ERR_ACCESS_DENIED,
                           "User is not authorized to access functions of account %s", out->account);
    return true;
}
