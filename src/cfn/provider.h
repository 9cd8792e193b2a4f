/* cfn/provider.h: a resource type's create, update and delete (resource_*.c), called by the
 * stack engine (stack.c) with properties whose intrinsic functions are already resolved.
 *
 * A provider works through the services' own entry points in-process (sqs_service_call,
 * lambda_service_call), so every rule and error of the API applies to a template too. A
 * created resource is described by a state object the engine stores with the stack:
 *   {"PhysicalResourceId": "...",   what DescribeStackResources shows
 *    "Ref": <value>,                what Ref returns (a string)
 *    "Attributes": {"Arn": ...},    what Fn::GetAtt returns, by attribute name
 *    ...}                           anything else the provider needs to update or delete it */
#ifndef SQSEMU_CFN_PROVIDER_H
#define SQSEMU_CFN_PROVIDER_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/cfn.h"

typedef struct cfn_resource {
    const cfn_ctx *ctx;
    const char *stack_name;
    const char *stack_id;
    const char *logical_id;
    const char *type;
    const cJSON *properties; /* resolved; an object (empty when the template has none) */
    const char *base_dir;    /* the template's directory: relative code paths resolve here */
} cfn_resource;

typedef struct cfn_provider {
    const char *type; /* "AWS::SQS::Queue" */
    /* Creates the resource; *state as above (a new object). False with err: the message
     * becomes the resource's CREATE_FAILED reason (name the property when one is at fault). */
    bool (*create)(const cfn_resource *r, cJSON **state, cfn_error *err);
    /* True when going from old_properties to r->properties needs a new resource (a property
     * AWS documents as "Update requires: Replacement" changed): the engine then creates the
     * replacement, points references at it, and deletes the old one at the end. */
    bool (*needs_replacement)(const cJSON *old_properties, const cfn_resource *r);
    /* Optional: true when the resource must be updated although its properties did not
     * change, because what they name did: a local code directory or zip whose files changed,
     * a nested stack's template file that changed (the same path, other contents). */
    bool (*changed_outside)(const cfn_resource *r, const cJSON *state);
    /* Updates the resource in place to r->properties; may change *state. */
    bool (*update)(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err);
    /* Deletes it; a resource that is already gone is not an error. */
    bool (*remove)(const cfn_resource *r, const cJSON *state, cfn_error *err);
} cfn_provider;

/* The provider of a resource type, or NULL when sqsemu has none. */
const cfn_provider *cfn_provider_find(const char *type);

/* The providers, each defined in its resource_*.c file. */
extern const cfn_provider cfn_sqs_queue_provider;         /* AWS::SQS::Queue */
extern const cfn_provider cfn_sqs_queue_policy_provider;  /* AWS::SQS::QueuePolicy */
extern const cfn_provider cfn_sqs_queue_inline_policy_provider; /* AWS::SQS::QueueInlinePolicy */
extern const cfn_provider cfn_lambda_function_provider;   /* AWS::Lambda::Function */
extern const cfn_provider cfn_lambda_version_provider;    /* AWS::Lambda::Version */
extern const cfn_provider cfn_lambda_alias_provider;      /* AWS::Lambda::Alias */
extern const cfn_provider cfn_lambda_mapping_provider;    /* AWS::Lambda::EventSourceMapping */
extern const cfn_provider cfn_lambda_permission_provider; /* AWS::Lambda::Permission */
extern const cfn_provider cfn_lambda_event_invoke_config_provider; /* AWS::Lambda::EventInvokeConfig */
extern const cfn_provider cfn_iam_role_provider;          /* AWS::IAM::Role (accepted, not enforced) */
extern const cfn_provider cfn_iam_policy_provider;        /* AWS::IAM::Policy (accepted, not enforced) */
extern const cfn_provider cfn_iam_managed_policy_provider; /* AWS::IAM::ManagedPolicy (accepted, not enforced) */
/* AWS::CloudFormation::Stack is the engine's own (stack.c): it is not in this table. */

#endif
