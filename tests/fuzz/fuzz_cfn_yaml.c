/* fuzz_cfn_yaml: YAML templates (src/cfn/yaml.c, cfn_yaml_parse) and, when the result asks
 * for it, the SAM transform (src/cfn/sam*.c) on the parsed document.
 *
 * Input: the template text, any bytes.
 *
 * Invariants beyond "no crash":
 *  - a refusal is a ValidationError whose message starts with "Template" (AWS's
 *    "Template format error: ..." / "Template error: ...");
 *  - parsing is deterministic: the same text parses again to an equal tree;
 *  - every object key of an accepted tree is unique (duplicate keys are refused);
 *  - the tree is no deeper than the parser's bound (64 levels, plus one for a tag's wrapper);
 *  - an accepted SAM transform leaves no Transform naming SAM and no Globals. */
#include "fuzz_common.h"
#include "../../src/cfn/sam.h"
#include "../../src/cfn/template.h"

static int depth_of(const cJSON *v)
{
    int max = 0;
    const cJSON *c;
    for (c = v->child; c; c = c->next) {
        int d = depth_of(c);
        if (d > max)
            max = d;
    }
    return (cJSON_IsObject(v) || cJSON_IsArray(v)) ? max + 1 : 0;
}

static void check_unique_keys(const cJSON *v)
{
    for (const cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsObject(v))
            for (const cJSON *d = c->next; d; d = d->next)
                FUZZ_CHECK(strcmp(c->string, d->string) != 0, "duplicate key %s", c->string);
        check_unique_keys(c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cfn_error err = {0};
    cJSON *doc = cfn_yaml_parse((const char *)data, size, &err);
    if (!doc) {
        FUZZ_CHECK(err.kind == CFN_ERR_VALIDATION, "kind %d: %s", err.kind, err.message);
        FUZZ_CHECK(strncmp(err.message, "Template", 8) == 0, "message %s", err.message);
        return 0;
    }
    cfn_error err2 = {0};
    cJSON *again = cfn_yaml_parse((const char *)data, size, &err2);
    FUZZ_CHECK(again && cJSON_Compare(doc, again, true), "a second parse differs");
    cJSON_Delete(again);
    check_unique_keys(doc);
    FUZZ_CHECK(depth_of(doc) <= 2 * 64 + 1, "depth %d", depth_of(doc));
    if (cfn_sam_wanted(doc)) {
        if (cfn_sam_transform(doc, &err)) {
            FUZZ_CHECK(!cfn_sam_wanted(doc), "Transform left after the transform");
            FUZZ_CHECK(!cJSON_GetObjectItemCaseSensitive(doc, "Globals"), "Globals left after the transform");
        } else {
            FUZZ_CHECK(err.kind == CFN_ERR_VALIDATION, "kind %d: %s", err.kind, err.message);
        }
    }
    cJSON_Delete(doc);
    return 0;
}
