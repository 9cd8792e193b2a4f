/* cfn: the CloudFormation service (src/cfn/): stacks made from CloudFormation and SAM
 * templates, whose resources are SQS queues and Lambda functions created in-process
 * through sqs_service_call and lambda_service_call.
 *
 * Every stack operation runs to its end before cfn_service_call returns: CreateStack
 * answers once the stack is CREATE_COMPLETE (or, after a failure and its rollback,
 * ROLLBACK_COMPLETE), so a client's waiter sees the final status on its first
 * DescribeStacks. Events and statuses are named as AWS names them. */
#ifndef SQSEMU_CFN_H
#define SQSEMU_CFN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The error kinds of CloudFormation's API (the wire code in parentheses). */
typedef enum cfn_err_kind {
    CFN_ERR_VALIDATION,              /* ValidationError, 400: bad input, unknown stack, bad template */
    CFN_ERR_ALREADY_EXISTS,          /* AlreadyExistsException, 400 */
    CFN_ERR_CHANGE_SET_NOT_FOUND,    /* ChangeSetNotFound, 404 */
    CFN_ERR_INSUFFICIENT_CAPABILITIES, /* InsufficientCapabilitiesException, 400 */
    CFN_ERR_INVALID_CHANGE_SET_STATUS, /* InvalidChangeSetStatus, 400 */
    CFN_ERR_TOKEN_ALREADY_EXISTS,    /* TokenAlreadyExistsException, 400 */
    CFN_ERR_INVALID_ACTION,          /* InvalidAction, 400: an action sqsemu does not emulate */
    CFN_ERR_INTERNAL,                /* InternalFailure, 500 */
    CFN_ERR__COUNT
} cfn_err_kind;

typedef struct cfn_error {
    cfn_err_kind kind;
    char message[1024];
} cfn_error;

/* Fills err (when not NULL) and returns false. */
bool cfn_fail(cfn_error *err, cfn_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *cfn_err_name(cfn_err_kind kind);

/* Who is asking, and where relative paths in templates resolve. */
typedef struct cfn_ctx {
    const char *account;
    const char *region;
    const char *url_base;   /* "http://host:port": queue URLs are built from it */
    const char *request_id;
    const char *base_dir;   /* directory that relative paths (CodeUri, Code, TemplateURL) resolve
                             * against: the template file's directory for --template, the
                             * server's working directory for templates sent over the API */
} cfn_ctx;

typedef struct cfn_settings {
    bool ignore_unsupported; /* --iac-ignore-unsupported: skip other resource types with a warning */
} cfn_settings;

bool cfn_service_start(const cfn_settings *settings); /* loads the stored stacks */
void cfn_service_stop(void);

/* Runs one CloudFormation action. input: the request's members with AWS's names, lists as
 * arrays (Parameters: [{ParameterKey, ParameterValue, UsePreviousValue}], Capabilities:
 * ["CAPABILITY_IAM"], Tags: [{Key, Value}]), strings as strings; as the query codec
 * (cfn_query.h) decodes them, booleans (DisableRollback, UsePreviousValue...) are JSON
 * booleans and integers (TimeoutInMinutes) JSON numbers. On success *output is a
 * new object with the result's members in AWS's names (lists as arrays of objects or
 * strings), owned by the caller; a timestamp member (CreationTime, Timestamp...) may be
 * an ISO 8601 string or a number of milliseconds since the epoch. Actions: CreateStack, UpdateStack, DeleteStack,
 * DescribeStacks, ListStacks, DescribeStackResources, DescribeStackResource,
 * ListStackResources, DescribeStackEvents, GetTemplate, GetTemplateSummary,
 * ValidateTemplate, ListExports, CreateChangeSet, DescribeChangeSet, ExecuteChangeSet,
 * DeleteChangeSet, ListChangeSets. */
bool cfn_service_call(const cfn_ctx *ctx, const char *action, const cJSON *input, cJSON **output, cfn_error *err);

/* --template FILE at start-up: creates the stack (named stack_name, or the file's base name
 * without extension) or, when a stack of that name exists, updates it. parameters:
 * "Key=Value" strings. False with err naming the resource, property and reason. */
bool cfn_apply_template_file(const cfn_ctx *ctx, const char *path, const char *stack_name,
                             const char *const *parameters, size_t parameter_count, cfn_error *err);

/* Applies the configuration's --template files (cfn_apply_template_file each, with their
 * --stack-name and --parameter options), logging the first failure. url_base as in
 * cfn_ctx. */
struct config;
bool cfn_apply_config(const struct config *cfg, const char *url_base);

#endif
