/* cfn_sam_tool: a test-only filter around the SAM transform, for the python oracle test
 * (tests/integration/python/test_sam_oracle.py): reads a template (JSON, or YAML through
 * cfn_yaml_parse) on standard input and writes it, transformed when its Transform names
 * AWS::Serverless-2016-10-31, as JSON on standard output. On an error it writes
 * "<ErrorCode>: <message>" on standard error and exits with status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/json.h"
#include "../../src/cfn/sam.h"
#include "../../src/cfn/template.h"

static char *read_all(FILE *in, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, in)) > 0) {
        n += got;
        if (n == cap && n <= CFN_TEMPLATE_MAX) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    *len = n;
    return buf;
}

int main(void)
{
    size_t len;
    char *text = read_all(stdin, &len);
    if (!text)
        return 2;
    cfn_error err = {0};
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", text[i]))
        i++;
    cJSON *doc;
    if (i < len && text[i] == '{') {
        char why[128];
        doc = json_parse_strict(text, len, why, sizeof why);
        if (!doc)
            cfn_fail(&err, CFN_ERR_VALIDATION, "Template format error: JSON not well-formed. (%s)", why);
    } else {
        doc = cfn_yaml_parse(text, len, &err);
    }
    free(text);
    if (doc && cfn_sam_wanted(doc) && !cfn_sam_transform(doc, &err)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    if (!doc) {
        fprintf(stderr, "%s: %s\n", cfn_err_name(err.kind), err.message);
        return 1;
    }
    char *out = cJSON_Print(doc);
    puts(out ? out : "null");
    free(out);
    cJSON_Delete(doc);
    return 0;
}
