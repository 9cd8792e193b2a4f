/* cfn/engine.h: private to the stack engine (src/cfn/): the evaluation of a template's
 * intrinsic functions and conditions (intrinsics.c, conditions.c), its parameters
 * (params.c), its checks (template.c), its dependency order (deps.c), the prepared plan of
 * a stack operation (plan.c), the stack records (stacks.c) and the operations (run.c,
 * update.c, describe.c, changesets.c, nested.c, service.c). */
#ifndef SQSEMU_CFN_ENGINE_H
#define SQSEMU_CFN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "provider.h"
#include "sqsemu/cfn.h"

#define CFN_MAX_RESOURCES 500   /* AWS's quota of resources in a template */
#define CFN_MAX_PARAMETERS 200  /* ... of parameters */
#define CFN_MAX_OUTPUTS 200     /* ... of outputs */
#define CFN_MAX_STACKS 2000     /* ... of stacks in a region */
#define CFN_MAX_EVENTS 1000     /* events kept per stack (oldest dropped) */
#define CFN_MAX_DELETED 200     /* deleted stacks kept for DescribeStacks by id */
#define CFN_MAX_DEPTH 5         /* nested stacks within nested stacks */

/* ---- evaluation (intrinsics.c, conditions.c) ---- */

/* What a template's functions see. */
typedef struct cfn_eval {
    const cfn_ctx *ctx;
    const char *stack_name;
    const char *stack_id;
    const cJSON *params;     /* name -> value (a string, or an array of strings for list types) */
    const cJSON *mappings;   /* the template's Mappings, or NULL */
    const cJSON *conditions; /* name -> true/false, once evaluated */
    const cJSON *states;     /* logical id -> {PhysicalResourceId, Ref, Attributes} */
    bool preview;            /* change sets: a resource not created yet gives a placeholder */
} cfn_eval;

typedef enum cfn_ev_result { CFN_EV_OK, CFN_EV_NOVALUE, CFN_EV_ERROR } cfn_ev_result;

/* Resolves every intrinsic function in value into *out (a new value). AWS::NoValue makes
 * the enclosing object member or list element disappear; at the top it is CFN_EV_NOVALUE. */
cfn_ev_result cfn_resolve(const cfn_eval *ev, const cJSON *value, cJSON **out, cfn_error *err);
/* A resource's Properties resolved (an object; {} when absent or NoValue). NULL on error. */
cJSON *cfn_eval_properties(const cfn_eval *ev, const cJSON *properties, cfn_error *err);
/* The value of a pseudo parameter (AWS::Region...) as a new value, or NULL when name is none. */
cJSON *cfn_pseudo(const cfn_eval *ev, const char *name);
/* Evaluates the template's Conditions section into a new object name -> bool. */
cJSON *cfn_conditions_eval(const cfn_eval *ev, const cJSON *decls, cfn_error *err);
/* A condition's value from an evaluated set; false with err when name is not defined. */
bool cfn_condition_true(const cJSON *conditions, const char *name, bool *value, cfn_error *err);
/* The placeholder a change set shows for a value not known until execution. */
#define CFN_UNKNOWN "{{changeSet:KNOWN_AFTER_APPLY}}"

/* ---- template.c ---- */
bool cfn_template_check(const cJSON *tpl, cfn_error *err);
/* Reads a local template (a path relative to base_dir, or file://...) bounded by
 * CFN_TEMPLATE_MAX; *dir receives its directory (malloc'd). */
char *cfn_template_read_url(const char *url, const char *base_dir, char **dir, cfn_error *err);

/* ---- params.c ---- */
/* From the declarations and the given [{ParameterKey, ParameterValue, UsePreviousValue}]
 * (previous: the stack's earlier raw values, for UsePreviousValue): *raw name -> string and
 * *typed name -> string or array. */
bool cfn_params_resolve(const cJSON *decls, const cJSON *given, const cJSON *previous, cJSON **raw, cJSON **typed,
                        cfn_error *err);
/* [{ParameterKey, ParameterValue}] for Describe output, NoEcho values as "****". */
cJSON *cfn_params_describe(const cJSON *decls, const cJSON *raw);
/* ValidateTemplate / GetTemplateSummary's Parameters list. */
cJSON *cfn_params_declared(const cJSON *decls, bool summary);

/* ---- deps.c ---- */
/* The logical ids of resources (already filtered by their conditions) in an order where
 * each comes after what it references (Ref, Fn::GetAtt, Fn::Sub, DependsOn). A reference
 * to nothing or a cycle: NULL with AWS's ValidationError. outputs may be NULL. */
cJSON *cfn_deps_order(const cJSON *resources, const cJSON *params, const cJSON *conditions, const cJSON *outputs,
                      cfn_error *err);

/* ---- plan.c: a template made ready for an operation ---- */
typedef struct cfn_plan {
    char *body;           /* the template as given */
    char *base_dir;       /* where its relative paths resolve */
    cJSON *original;      /* parsed, before any transform */
    cJSON *processed;     /* after the SAM transform */
    cJSON *raw_params;    /* name -> string */
    cJSON *typed_params;  /* name -> string or list */
    cJSON *conditions;    /* name -> bool */
    cJSON *resources;     /* logical id -> declaration, those whose condition holds */
    cJSON *order;         /* their creation order */
    cJSON *outputs;       /* OutputKey -> declaration, those whose condition holds */
    cJSON *capabilities;  /* what the template requires: ["CAPABILITY_IAM", ...] */
    cJSON *skipped;       /* unsupported types skipped with --iac-ignore-unsupported */
} cfn_plan;

/* Parses and checks body (SAM transform, anatomy, parameters, conditions, types, order). */
bool cfn_plan_prepare(const cfn_ctx *ctx, const char *stack_name, const char *stack_id, const char *body,
                      const char *base_dir, const cJSON *given_params, const cJSON *previous_params, cfn_plan *plan,
                      cfn_error *err);
/* InsufficientCapabilitiesException when granted (an array or NULL) misses one needed. */
bool cfn_plan_capabilities(const cfn_plan *plan, const cJSON *granted, cfn_error *err);
void cfn_plan_free(cfn_plan *plan);
/* ValidateTemplate's checks: parse, transform, anatomy, references, capabilities (no
 * parameter values needed, conditions not evaluated). */
bool cfn_template_check_body(const cfn_ctx *ctx, const char *body, const char *base_dir, const cJSON *unused,
                             cfn_plan *plan, cfn_error *err);
/* The template body of a request: TemplateBody, or TemplateURL read locally. */
char *cfn_request_body(const cfn_ctx *ctx, const cJSON *input, char **dir, cfn_error *err);

/* ---- stacks.c: the stack records ---- */
typedef struct cfn_stack {
    cJSON *rec;    /* StackId, StackName, Account, Region, StackStatus, ..., Resources, Outputs */
    cJSON *events; /* newest last, at most CFN_MAX_EVENTS */
} cfn_stack;

extern const cfn_settings *cfn_current_settings;

/* By name (live stacks only) or stack id (deleted ones too), in ctx's account and region. */
cfn_stack *cfn_stack_find(const cfn_ctx *ctx, const char *name_or_id);
cfn_stack *cfn_stack_new(const cfn_ctx *ctx, const char *name, const char *parent_id, cfn_error *err);
size_t cfn_stack_count(void);
cfn_stack *cfn_stack_at(size_t i);
void cfn_stack_save(cfn_stack *s);
void cfn_stack_forget(cfn_stack *s); /* a stack never created (REVIEW_IN_PROGRESS with no change set left) */
void cfn_stack_set_status(cfn_stack *s, const char *status, const char *reason);
void cfn_stack_event(cfn_stack *s, const char *logical_id, const char *physical_id, const char *type,
                     const char *status, const char *reason, const cJSON *properties);
const char *cfn_str(const cJSON *obj, const char *name); /* a string member or NULL */
bool cfn_stack_live(const cfn_stack *s);
/* The value exported as name in ctx's region, or NULL; *exporter its stack id. */
const char *cfn_export_find(const cfn_ctx *ctx, const char *name, const char **exporter);
void cfn_iso_time(int64_t ms, char out[32]);
bool cfn_stacks_load(void);
void cfn_stacks_free(void);

/* ---- run.c: create, delete ---- */
/* Creates the stack's resources from plan (the record already CREATE_IN_PROGRESS or
 * REVIEW_IN_PROGRESS). on_failure: "ROLLBACK", "DELETE" or "DO_NOTHING". True when
 * CREATE_COMPLETE; false otherwise, with err holding the stack's reason. */
bool cfn_run_create(const cfn_ctx *ctx, cfn_stack *s, cfn_plan *plan, const char *on_failure, cfn_error *err);
bool cfn_run_delete(const cfn_ctx *ctx, cfn_stack *s, cfn_error *err);
/* Stores what the plan gives the record (template, parameters, conditions...). */
void cfn_record_plan(cfn_stack *s, const cfn_plan *plan);
/* Unit tests only: a table of extra providers tried first (NULL in the server). */
extern const cfn_provider *(*cfn_test_provider_find)(const char *type);
/* A provider for type: the registered one, the engine's nested stack, or NULL. */
const cfn_provider *cfn_provider_for(const char *type);
/* The resource's evaluation context, over the stack's current states. */
void cfn_eval_for(cfn_eval *ev, const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, cJSON *states);
/* Resolves the outputs of plan into [{OutputKey, OutputValue, Description, ExportName}]. */
cJSON *cfn_resolve_outputs(const cfn_eval *ev, const cfn_plan *plan, const char *stack_id, cfn_error *err);
/* Records a resource's new status, with its event, and saves the record. */
void cfn_resource_step(cfn_stack *s, const char *id, cJSON *res, const char *status, const char *reason);
/* Creates plan's resource id into the record (and its state into states). */
bool cfn_create_one(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, const char *id, cJSON *states,
                    cfn_error *err);
/* The stack's live resources' states by logical id (references into the record). */
cJSON *cfn_states_of(cfn_stack *s);
bool cfn_remove_resource(const cfn_ctx *ctx, cfn_stack *s, const char *logical_id, cJSON *res, cfn_error *err);

/* ---- service.c ---- */
typedef struct cfn_stack_request {
    const char *name;
    const char *body;
    const char *base_dir;
    const cJSON *params;       /* [{ParameterKey, ParameterValue}] */
    const cJSON *capabilities; /* granted */
    const cJSON *tags;
    const char *on_failure;    /* ROLLBACK, DELETE, DO_NOTHING */
    const char *parent_id;     /* a nested stack's parent */
    bool check_capabilities;   /* false: every capability granted (start-up, nested stacks) */
} cfn_stack_request;
/* Creates a stack: NULL with a ValidationError (nothing created) when the request or the
 * template is refused; else the stack, *complete telling whether it is CREATE_COMPLETE
 * (when not, err holds the stack's reason). */
cfn_stack *cfn_create_stack(const cfn_ctx *ctx, const cfn_stack_request *req, bool *complete, cfn_error *err);
bool cfn_stack_name_valid(const char *name, cfn_error *err);
/* ValidationError when another stack imports one of s's exports. */
bool cfn_exports_unused(const cfn_ctx *ctx, const cfn_stack *s, cfn_error *err);
const char *cfn_export_importer(const cfn_ctx *ctx, const cfn_stack *s, const char *export);

/* ---- update.c ---- */
/* Updates s to body (NULL: its current template) with params. False with err: "No
 * updates are to be performed." when nothing changes, a ValidationError when refused
 * (nothing changed), or the reason of a failed update after its rollback. */
bool cfn_update_stack(const cfn_ctx *ctx, cfn_stack *s, const char *body, const char *base_dir, const cJSON *params,
                      const cJSON *capabilities, const cJSON *tags, bool *started, cfn_error *err);
/* The changes from the stack's resources to plan's, as DescribeChangeSet's Changes list
 * ([{Type: Resource, ResourceChange: {Action, LogicalResourceId, ...}}]). */
cJSON *cfn_diff(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, cfn_error *err);
/* Runs an update to plan (checked; the stack updatable). */
bool cfn_run_update(const cfn_ctx *ctx, cfn_stack *s, cfn_plan *plan, const cJSON *tags, cfn_error *err);
/* True when plan changes nothing of s (resources, outputs, tags). */
bool cfn_plan_unchanged(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, const cJSON *tags, cfn_error *err);
bool cfn_stack_updatable(const cfn_stack *s, cfn_error *err);

/* ---- nested.c ---- */
extern const cfn_provider cfn_nested_stack_provider;
/* The calls of nested stacks run with their parent's ctx; this keeps the nesting depth. */
extern int cfn_nesting_depth;

/* ---- operations (describe.c, changesets.c, service.c) ---- */
typedef bool (*cfn_op_fn)(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_create_stack(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_update_stack(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_delete_stack(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_describe_stacks(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_list_stacks(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_describe_stack_resources(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_describe_stack_resource(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_list_stack_resources(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_describe_stack_events(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_get_template(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_get_template_summary(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_validate_template(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_list_exports(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_create_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_describe_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_execute_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_delete_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
bool cfn_op_list_change_sets(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err);
/* The stack named by input's StackName, or ValidationError "Stack with id X does not exist". */
cfn_stack *cfn_stack_required(const cfn_ctx *ctx, const cJSON *in, cfn_error *err);

#endif
