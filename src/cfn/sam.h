/* cfn/sam.h: the AWS::Serverless-2016-10-31 transform (sam.c): a template whose Transform
 * names it is rewritten in place into plain CloudFormation, with the same resources and
 * logical ids that AWS SAM's own translator generates (aws-sam-translator is the test
 * oracle): AWS::Serverless::Function becomes AWS::Lambda::Function + <Id>Role
 * (AWS::IAM::Role) + for each SQS event <Id><EventId> (AWS::Lambda::EventSourceMapping),
 * with AutoPublishAlias <Id>Version<hash> (AWS::Lambda::Version) and <Id>Alias<alias>
 * (AWS::Lambda::Alias), EventInvokeConfig <Id>EventInvokeConfig, and Globals.Function
 * merged into every function. */
#ifndef SQSEMU_CFN_SAM_H
#define SQSEMU_CFN_SAM_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/cfn.h"

/* True when template has Transform AWS::Serverless-2016-10-31 (a string, or in a list). */
bool cfn_sam_wanted(const cJSON *template);

/* Expands template in place and removes the Transform and Globals. Local CodeUri paths are
 * left as they are (the Lambda provider resolves them against the stack's base directory).
 * False with a ValidationError (AWS's "Transform AWS::Serverless-2016-10-31 failed with:
 * Invalid Serverless Application Specification document. ..." wording) on a bad document. */
bool cfn_sam_transform(cJSON *template, cfn_error *err);

#endif
