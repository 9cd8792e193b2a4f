/* cfn/plan: a template made ready for a stack operation: parsed, transformed (SAM), its
 * anatomy checked, its parameters given values, its conditions evaluated, the resources
 * and outputs whose condition holds chosen, their types checked ("Template format error:
 * Unrecognized resource types: [X]", or skipped with a warning under
 * --iac-ignore-unsupported), their creation order computed and the capabilities it
 * requires found (CloudFormation API reference, CreateStack "Capabilities": IAM resources
 * need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM, a Transform CAPABILITY_AUTO_EXPAND).
 * Nothing is created here: every error is a ValidationError of the request. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sam.h"
#include "sqsemu/buf.h"
#include "sqsemu/log.h"
#include "template.h"

static const char *const iam_types[] = {"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                                        "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::AccessKey",
                                        "AWS::IAM::InstanceProfile", "AWS::IAM::UserToGroupAddition", NULL};
static const char *const iam_names[] = {"RoleName", "UserName", "GroupName", "ManagedPolicyName",
                                        "InstanceProfileName", NULL};

static void add_capability(cJSON *caps, const char *cap)
{
    for (const cJSON *c = caps->child; c; c = c->next)
        if (strcmp(c->valuestring, cap) == 0)
            return;
    cJSON_AddItemToArray(caps, cJSON_CreateString(cap));
}

static void find_capabilities(cfn_plan *plan)
{
    plan->capabilities = cJSON_CreateArray();
    for (const cJSON *r = plan->resources->child; r; r = r->next) {
        const char *type = cfn_str(r, "Type");
        for (int i = 0; iam_types[i]; i++) {
            if (strcmp(type, iam_types[i]) != 0)
                continue;
            add_capability(plan->capabilities, "CAPABILITY_IAM");
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(r, "Properties");
            for (int j = 0; iam_names[j]; j++)
                if (props && cJSON_GetObjectItemCaseSensitive(props, iam_names[j]))
                    add_capability(plan->capabilities, "CAPABILITY_NAMED_IAM");
        }
    }
    if (cJSON_GetObjectItemCaseSensitive(plan->original, "Transform"))
        add_capability(plan->capabilities, "CAPABILITY_AUTO_EXPAND");
}

bool cfn_plan_capabilities(const cfn_plan *plan, const cJSON *granted, cfn_error *err)
{
    buf_t missing = {0};
    for (const cJSON *need = plan->capabilities->child; need; need = need->next) {
        bool have = false;
        for (const cJSON *g = cJSON_IsArray(granted) ? granted->child : NULL; g && !have; g = g->next)
            have = cJSON_IsString(g) && strcmp(g->valuestring, need->valuestring) == 0;
        /* CAPABILITY_NAMED_IAM covers CAPABILITY_IAM. */
        if (!have && strcmp(need->valuestring, "CAPABILITY_IAM") == 0)
            for (const cJSON *g = cJSON_IsArray(granted) ? granted->child : NULL; g && !have; g = g->next)
                have = cJSON_IsString(g) && strcmp(g->valuestring, "CAPABILITY_NAMED_IAM") == 0;
        if (!have)
            buf_printf(&missing, "%s%s", missing.len ? ", " : "", need->valuestring);
    }
    if (!missing.len)
        return true;
    cfn_fail(err, CFN_ERR_INSUFFICIENT_CAPABILITIES, "Requires capabilities : [%s]", missing.data);
    buf_free(&missing);
    return false;
}

/* Keeps the members of section whose Condition holds (all when they name none). */
static cJSON *chosen(const cJSON *section, const cJSON *conditions, cfn_error *err)
{
    cJSON *out = cJSON_CreateObject();
    for (const cJSON *m = section ? section->child : NULL; m; m = m->next) {
        const char *cond = cfn_str(m, "Condition");
        bool yes = true;
        if (cond && !cfn_condition_true(conditions, cond, &yes, err)) {
            cJSON_Delete(out);
            return NULL;
        }
        if (yes)
            cJSON_AddItemToObject(out, m->string, cJSON_Duplicate(m, true));
    }
    return out;
}

/* Only the SAM transform is emulated: any other Transform (a macro,
 * AWS::LanguageExtensions, AWS::Include) is refused rather than ignored. */
static bool check_transforms(const cJSON *tpl, cfn_error *err)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(tpl, "Transform");
    const cJSON *single = cJSON_IsArray(t) ? NULL : t;
    for (const cJSON *e = single ? single : t ? t->child : NULL; e; e = single ? NULL : e->next) {
        if (cJSON_IsString(e) && !strcmp(e->valuestring, "AWS::Serverless-2016-10-31"))
            continue;
        return cfn_fail(err, CFN_ERR_VALIDATION, "Transform %.200s is not supported by sqsemu (only "
                        "AWS::Serverless-2016-10-31)", cJSON_IsString(e) ? e->valuestring : "(not a name)");
    }
    return true;
}

static bool check_types(cfn_plan *plan, cfn_error *err)
{
    buf_t unknown = {0};
    plan->skipped = cJSON_CreateArray();
    cJSON *r = plan->resources->child;
    while (r) {
        cJSON *next = r->next;
        const char *type = cfn_str(r, "Type");
        if (!cfn_provider_for(type)) {
            if (cfn_current_settings && cfn_current_settings->ignore_unsupported) {
                log_warn("cloudformation: resource %s: type %s is not supported by sqsemu; skipped "
                         "(--iac-ignore-unsupported)", r->string, type);
                cJSON_AddItemToArray(plan->skipped, cJSON_CreateString(r->string));
                cJSON_Delete(cJSON_DetachItemViaPointer(plan->resources, r));
            } else if (!strstr(unknown.data ? unknown.data : "", type))
                buf_printf(&unknown, "%s%s", unknown.len ? ", " : "", type);
        }
        r = next;
    }
    if (!unknown.len)
        return true;
    cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Unrecognized resource types: [%s]", unknown.data);
    buf_free(&unknown);
    return false;
}

bool cfn_plan_prepare(const cfn_ctx *ctx, const char *stack_name, const char *stack_id, const char *body,
                      const char *base_dir, const cJSON *given_params, const cJSON *previous_params, cfn_plan *plan,
                      cfn_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->body = strdup(body);
    plan->base_dir = strdup(base_dir ? base_dir : ".");
    if (!(plan->original = cfn_template_parse(body, strlen(body), err)))
        return false;
    if (!check_transforms(plan->original, err))
        return false;
    plan->processed = cJSON_Duplicate(plan->original, true);
    if (cJSON_IsObject(plan->processed) && cfn_sam_wanted(plan->processed) && !cfn_sam_transform(plan->processed, err))
        return false;
    if (!cfn_template_check(plan->processed, err))
        return false;
    const cJSON *t = plan->processed;
    if (!cfn_params_resolve(cJSON_GetObjectItemCaseSensitive(t, "Parameters"), given_params, previous_params,
                            &plan->raw_params, &plan->typed_params, err))
        return false;
    cfn_eval ev = {.ctx = ctx, .stack_name = stack_name, .stack_id = stack_id, .params = plan->typed_params,
                   .mappings = cJSON_GetObjectItemCaseSensitive(t, "Mappings")};
    if (!(plan->conditions = cfn_conditions_eval(&ev, cJSON_GetObjectItemCaseSensitive(t, "Conditions"), err)))
        return false;
    if (!(plan->resources = chosen(cJSON_GetObjectItemCaseSensitive(t, "Resources"), plan->conditions, err)) ||
        !(plan->outputs = chosen(cJSON_GetObjectItemCaseSensitive(t, "Outputs"), plan->conditions, err)))
        return false;
    if (!check_types(plan, err))
        return false;
    if (!(plan->order = cfn_deps_order(plan->resources, plan->typed_params, plan->conditions, plan->outputs, err)))
        return false;
    find_capabilities(plan);
    return true;
}

void cfn_plan_free(cfn_plan *plan)
{
    free(plan->body);
    free(plan->base_dir);
    cJSON *all[] = {plan->original, plan->processed, plan->raw_params, plan->typed_params, plan->conditions,
                    plan->resources, plan->order, plan->outputs, plan->capabilities, plan->skipped};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        cJSON_Delete(all[i]);
    memset(plan, 0, sizeof *plan);
}

char *cfn_request_body(const cfn_ctx *ctx, const cJSON *input, char **dir, cfn_error *err)
{
    const char *body = cfn_str(input, "TemplateBody");
    const char *url = cfn_str(input, "TemplateURL");
    *dir = NULL;
    if (body && url) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Specify exactly one of TemplateBody or TemplateUrl.");
        return NULL;
    }
    if (!body && !url) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Either Template URL or Template Body must be specified.");
        return NULL;
    }
    if (url)
        return cfn_template_read_url(url, ctx->base_dir, dir, err);
    if (strlen(body) > CFN_TEMPLATE_MAX) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template may not exceed %d bytes in size.", CFN_TEMPLATE_MAX);
        return NULL;
    }
    *dir = strdup(ctx->base_dir ? ctx->base_dir : ".");
    return strdup(body);
}

bool cfn_template_check_body(const cfn_ctx *ctx, const char *body, const char *base_dir, const cJSON *unused,
                             cfn_plan *plan, cfn_error *err)
{
    (void)ctx;
    (void)unused;
    memset(plan, 0, sizeof *plan);
    plan->body = strdup(body);
    plan->base_dir = strdup(base_dir ? base_dir : ".");
    if (!(plan->original = cfn_template_parse(body, strlen(body), err)))
        return false;
    plan->processed = cJSON_Duplicate(plan->original, true);
    if (cJSON_IsObject(plan->processed) && cfn_sam_wanted(plan->processed) && !cfn_sam_transform(plan->processed, err))
        return false;
    if (!cfn_template_check(plan->processed, err))
        return false;
    plan->resources = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(plan->processed, "Resources"), true);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(plan->processed, "Parameters");
    if (!(plan->order = cfn_deps_order(plan->resources, params, NULL,
                                       cJSON_GetObjectItemCaseSensitive(plan->processed, "Outputs"), err)))
        return false;
    find_capabilities(plan);
    return true;
}
