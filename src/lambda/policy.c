/* lambda/policy: a function's resource-based policy (AddPermission, RemovePermission,
 * GetPolicy), stored and answered as AWS's API reference and the Lambda developer guide
 * ("Working with resource-based IAM policies in Lambda") describe, and never enforced:
 * sqsemu lets every caller invoke every function whatever the policy says.
 *
 * A function has one policy per qualifier: the unqualified function ($LATEST; AWS refuses
 * AddPermission with Qualifier=$LATEST) and each version or alias. They live in the
 * function's record under "Policies" ({qualifier: {"Statement": [...], "RevisionId"}}), so
 * they are stored with it, survive a restart and go with the function (DeleteFunction, the
 * admin reset). A change guards the record (tx_guard_json) and saves it in the call's
 * transaction: a rolled-back call leaves the policy as it was. The policy document is
 * {"Version":"2012-10-17","Id":"default","Statement":[...]}; a policy whose last
 * statement is removed goes, as in AWS, and GetPolicy then answers 404.
 *
 * RevisionId: as in AWS, a change of the unqualified policy gives the function a new
 * RevisionId (GetFunction shows it, a stale one fails an update) and GetPolicy answers the
 * function's. The policy of a version or alias keeps a RevisionId of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "function.h"
#include "policy.h"
#include "sqsemu/buf.h"
#include "sqsemu/ids.h"
#include "sqsemu/json.h"
#include "sqsemu/tx.h"

#define LATEST "$LATEST"
/* AWS's limit on the size of a function's resource-based policy (Lambda quotas). */
#define POLICY_MAX_BYTES 20480

/* The function and the qualifier a call addresses (from the name or from ?Qualifier). */
typedef struct policy_target {
    lambda_function *f;
    char qualifier[130]; /* LATEST when none */
    char arn[300];       /* the Resource of the statements */
} policy_target;

static bool resolve(const lambda_ctx *ctx, const char *name, const char *qualifier, policy_target *t,
                    lambda_error *err)
{
    function_ref ref;
    if (!function_ref_parse(ctx, name, &ref, err))
        return false;
    t->f = functions_resolve(ctx, name, qualifier, true, err);
    if (!t->f)
        return false;
    const char *q = *ref.qualifier ? ref.qualifier : (qualifier && *qualifier ? qualifier : LATEST);
    snprintf(t->qualifier, sizeof t->qualifier, "%s", q);
    if (strcmp(q, LATEST) == 0)
        snprintf(t->arn, sizeof t->arn, "%s", t->f->arn);
    else
        snprintf(t->arn, sizeof t->arn, "%s:%s", t->f->arn, q);
    return true;
}

static cJSON *policies_of(const lambda_function *f)
{
    return cJSON_GetObjectItemCaseSensitive(f->record, "Policies");
}

static cJSON *policy_of(const policy_target *t)
{
    return cJSON_GetObjectItemCaseSensitive(policies_of(t->f), t->qualifier);
}

static const char *revision_of(const policy_target *t)
{
    if (strcmp(t->qualifier, LATEST) == 0)
        return function_string(t->f, "RevisionId");
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(policy_of(t), "RevisionId"));
}

static bool revision_matches(const policy_target *t, const char *wanted, lambda_error *err)
{
    const char *current = revision_of(t);
    if (wanted && *wanted && (!current || strcmp(wanted, current) != 0))
        return lambda_fail(err, LAMBDA_ERR_PRECONDITION,
                           "The Revision Id provided does not match the latest Revision Id. Call the "
                           "GetFunction/GetAlias API to retrieve the latest Revision Id");
    return true;
}

/* A new revision for the changed policy: the function's for $LATEST, the policy's own
 * for a version or alias. */
static void new_revision(const policy_target *t, cJSON *policy)
{
    char revision[UUID_STR_LEN];
    ids_uuid(revision);
    if (strcmp(t->qualifier, LATEST) == 0)
        json_set_string(t->f->record, "RevisionId", revision);
    else if (policy)
        json_set_string(policy, "RevisionId", revision);
}

static cJSON *find_statement(const cJSON *policy, const char *sid, int *index)
{
    cJSON *statement;
    int i = 0;
    cJSON_ArrayForEach(statement, cJSON_GetObjectItemCaseSensitive(policy, "Statement"))
    {
        const char *have = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(statement, "Sid"));
        if (have && strcmp(have, sid) == 0) {
            if (index)
                *index = i;
            return statement;
        }
        i++;
    }
    return NULL;
}

/* The policy document GetPolicy answers (malloc'd JSON text). */
static char *document_text(const cJSON *policy)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON_AddStringToObject(doc, "Id", "default");
    cJSON_AddItemToObject(doc, "Statement",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(policy, "Statement"), true));
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

/* The policy's size once the statement is in, against AWS's limit. */
static bool within_limit(const cJSON *policy, const cJSON *statement, lambda_error *err)
{
    char *doc = policy ? document_text(policy) : xstrdup("{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[]}");
    char *added = cJSON_PrintUnformatted(statement);
    size_t size = strlen(doc) + strlen(added) + 1;
    free(doc);
    free(added);
    if (size > POLICY_MAX_BYTES)
        return lambda_fail(err, LAMBDA_ERR_POLICY_LENGTH, "The final policy size (%zu) is bigger than the limit (%d).",
                           size, POLICY_MAX_BYTES);
    return true;
}

bool policy_add(const lambda_ctx *ctx, const char *name, const char *qualifier, const cJSON *in, cJSON *out,
                lambda_error *err)
{
    if (qualifier && strcmp(qualifier, LATEST) == 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "We currently do not support adding policies for $LATEST.");
    policy_target t;
    if (!resolve(ctx, name, qualifier, &t, err))
        return false;
    const cJSON *given_revision = cJSON_GetObjectItemCaseSensitive(in, "RevisionId");
    if (!revision_matches(&t, cJSON_GetStringValue(given_revision), err))
        return false;
    cJSON *statement = policy_statement_build(in, t.arn, err);
    if (!statement)
        return false;
    cJSON *policy = policy_of(&t);
    const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(statement, "Sid"));
    if (policy && find_statement(policy, sid, NULL)) {
        lambda_fail(err, LAMBDA_ERR_CONFLICT,
                    "The statement id (%s) provided already exists. Please provide a new statement id, or remove the "
                    "existing statement.", sid);
        cJSON_Delete(statement);
        return false;
    }
    if (!within_limit(policy, statement, err)) {
        cJSON_Delete(statement);
        return false;
    }
    tx_guard_json(&t.f->record);
    cJSON *policies = policies_of(t.f);
    if (!policies)
        policies = cJSON_AddObjectToObject(t.f->record, "Policies");
    policy = cJSON_GetObjectItemCaseSensitive(policies, t.qualifier);
    if (!policy) {
        policy = cJSON_AddObjectToObject(policies, t.qualifier);
        cJSON_AddArrayToObject(policy, "Statement");
    }
    char *text = cJSON_PrintUnformatted(statement);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(policy, "Statement"), statement);
    new_revision(&t, policy);
    cJSON_AddStringToObject(out, "Statement", text);
    free(text);
    return function_save(t.f, err);
}

bool policy_remove(const lambda_ctx *ctx, const char *name, const char *qualifier, const char *statement_id,
                   const char *revision_id, lambda_error *err)
{
    policy_target t;
    if (!resolve(ctx, name, qualifier, &t, err))
        return false;
    const cJSON *policy = policy_of(&t);
    if (!policy)
        return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "No policy is associated with the given resource.");
    int index = -1;
    if (!statement_id || !find_statement(policy, statement_id, &index))
        return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Statement %.100s is not found in resource policy.",
                           statement_id ? statement_id : "");
    if (!revision_matches(&t, revision_id, err))
        return false;
    tx_guard_json(&t.f->record);
    cJSON *policies = policies_of(t.f);
    cJSON *live = cJSON_GetObjectItemCaseSensitive(policies, t.qualifier);
    cJSON *statements = cJSON_GetObjectItemCaseSensitive(live, "Statement");
    cJSON_DeleteItemFromArray(statements, index);
    if (cJSON_GetArraySize(statements) == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(policies, t.qualifier);
        live = NULL;
    }
    if (cJSON_GetArraySize(policies) == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(t.f->record, "Policies");
    new_revision(&t, live);
    return function_save(t.f, err);
}

bool policy_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err)
{
    policy_target t;
    if (!resolve(ctx, name, qualifier, &t, err))
        return false;
    const cJSON *policy = policy_of(&t);
    if (!policy)
        return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "The resource you requested does not exist.");
    char *text = document_text(policy);
    cJSON_AddStringToObject(out, "Policy", text);
    free(text);
    const char *revision = revision_of(&t);
    if (revision)
        cJSON_AddStringToObject(out, "RevisionId", revision);
    return true;
}
