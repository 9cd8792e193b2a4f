/* cfn/template.h: reading a template's text into one JSON document (template.c, yaml.c).
 *
 * A template is kept as a cJSON object in the long form of CloudFormation's JSON syntax:
 * YAML's short-form tags become their long forms while parsing (!Ref x -> {"Ref": "x"},
 * !GetAtt A.B -> {"Fn::GetAtt": ["A", "B"]}, !Sub s -> {"Fn::Sub": s}, !If [..] ->
 * {"Fn::If": [..]}, and likewise !Join !Equals !Not !And !Or !Select !Split !FindInMap
 * !ImportValue !Base64 !GetAZs !Cidr !Condition -> {"Condition": name}). Everything after
 * this point sees only JSON. */
#ifndef SQSEMU_CFN_TEMPLATE_H
#define SQSEMU_CFN_TEMPLATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/cfn.h"

/* Largest template body accepted (AWS: 51,200 bytes in a request body, 1 MB from S3). */
#define CFN_TEMPLATE_MAX (1024 * 1024)

/* JSON (first non-blank byte '{') or YAML; NULL with a ValidationError naming the line. */
cJSON *cfn_template_parse(const char *text, size_t len, cfn_error *err);

/* YAML 1.1 (libyaml) with CloudFormation's tags, into the long form above. Mappings become
 * objects (a duplicate key is an error), sequences arrays, plain scalars strings (CloudFormation
 * treats every scalar as a string; "true"/"false" and numbers stay strings too, except that
 * the engine reads them where a property wants a number or a boolean; an empty, "~" or
 * "null" plain scalar is YAML's null and becomes JSON null). Aliases are refused
 * (CloudFormation refuses them); anchors alone are accepted and ignored, as CloudFormation
 * does. Nesting deeper than 64 levels is refused. NULL with a ValidationError naming the
 * line and column. */
cJSON *cfn_yaml_parse(const char *text, size_t len, cfn_error *err);

#endif
