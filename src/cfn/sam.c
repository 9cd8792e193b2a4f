/* cfn/sam: placeholder of the engine's branch. The AWS::Serverless-2016-10-31 transform is
 * part 2 of the work (src/cfn/sam.c there); this one recognises the transform and refuses. */
#include <string.h>

#include "sam.h"

static bool names_sam(const cJSON *v)
{
    return cJSON_IsString(v) && strcmp(v->valuestring, "AWS::Serverless-2016-10-31") == 0;
}

bool cfn_sam_wanted(const cJSON *template)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(template, "Transform");
    if (names_sam(t))
        return true;
    for (const cJSON *e = cJSON_IsArray(t) ? t->child : NULL; e; e = e->next)
        if (names_sam(e))
            return true;
    return false;
}

bool cfn_sam_transform(cJSON *template, cfn_error *err)
{
    (void)template;
    return cfn_fail(err, CFN_ERR_VALIDATION, "The SAM transform (AWS::Serverless-2016-10-31) is not available in this build");
}
