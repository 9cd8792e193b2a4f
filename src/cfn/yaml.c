/* cfn/yaml: placeholder of the engine's branch. The YAML reader is part 2 of the work
 * (src/cfn/yaml.c there, libyaml with CloudFormation's tags); this one only refuses. */
#include "template.h"

cJSON *cfn_yaml_parse(const char *text, size_t len, cfn_error *err)
{
    (void)text;
    (void)len;
    cfn_fail(err, CFN_ERR_VALIDATION, "YAML templates are not available in this build");
    return NULL;
}
