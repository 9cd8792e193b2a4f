/* lambda/policy_statement: the statement AddPermission adds to a resource-based policy.
 *
 * The members are checked against the constraints of AWS's API reference (AddPermission):
 * StatementId 1-100 of [a-zA-Z0-9-_], Action lambda:<Name>, lambda:* or *, a Principal
 * without white space, SourceAccount 12 digits, PrincipalOrgID o-[a-z0-9]{10,32},
 * EventSourceToken [a-zA-Z0-9._-] up to 256, FunctionUrlAuthType NONE or AWS_IAM. The
 * statement has the shape GetPolicy shows (Lambda developer guide, "Viewing resource-based
 * IAM policies"): a service principal becomes {"Service": ...}, an account id
 * {"AWS": "arn:aws:iam::<id>:root"}, an ARN {"AWS": <arn>}, "*" stays "*"; SourceArn is an
 * ArnLike condition on AWS:SourceArn, SourceAccount, PrincipalOrgID, EventSourceToken and
 * FunctionUrlAuthType StringEquals conditions, InvokedViaFunctionUrl a Bool condition. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "function_validate.h"
#include "policy.h"

static bool chars_in(const char *s, const char *extra)
{
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
            return false;
    }
    return true;
}

static bool null_error(lambda_error *err, const char *member)
{
    return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                       "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not "
                       "be null", member);
}

/* A string member, or NULL (*bad when it is present but not a string). */
static const char *member(const cJSON *in, const char *name, bool *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, name);
    if (v && !cJSON_IsNull(v) && !cJSON_IsString(v))
        *bad = true;
    return cJSON_GetStringValue(v);
}

static bool action_valid(const char *a)
{
    if (strcmp(a, "*") == 0 || strcmp(a, "lambda:*") == 0)
        return true;
    if (strncmp(a, "lambda:", 7) != 0 || !a[7])
        return false;
    for (const char *p = a + 7; *p; p++) {
        if (!isalpha((unsigned char)*p))
            return false;
    }
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static bool org_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 12 || n > 34 || strncmp(s, "o-", 2) != 0)
        return false;
    for (const char *p = s + 2; *p; p++) {
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p))
            return false;
    }
    return true;
}

static bool check_required(const cJSON *in, lambda_error *err)
{
    bool bad = false;
    const char *sid = member(in, "StatementId", &bad);
    const char *action = member(in, "Action", &bad);
    const char *principal = member(in, "Principal", &bad);
    if (bad)
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                           "Could not parse request body into json: StatementId, Action and Principal must be strings.");
    if (!sid)
        return null_error(err, "statementId");
    if (!*sid || strlen(sid) > 100 || !chars_in(sid, "-_"))
        return function_validation_error(err, sid, "statementId",
                                         "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
    if (!action)
        return null_error(err, "action");
    if (!action_valid(action))
        return function_validation_error(err, action, "action",
                                         "Member must satisfy regular expression pattern: "
                                         "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
    if (!principal)
        return null_error(err, "principal");
    if (!*principal || strpbrk(principal, " \t\r\n\f\v"))
        return function_validation_error(err, principal, "principal",
                                         "Member must satisfy regular expression pattern: [^\\s]+");
    return true;
}

static bool check_optional(const cJSON *in, lambda_error *err)
{
    bool bad = false;
    const char *source_arn = member(in, "SourceArn", &bad);
    const char *account = member(in, "SourceAccount", &bad);
    const char *org = member(in, "PrincipalOrgID", &bad);
    const char *token = member(in, "EventSourceToken", &bad);
    const char *auth = member(in, "FunctionUrlAuthType", &bad);
    const char *revision = member(in, "RevisionId", &bad);
    const cJSON *via_url = cJSON_GetObjectItemCaseSensitive(in, "InvokedViaFunctionUrl");
    (void)revision;
    if (bad || (via_url && !cJSON_IsNull(via_url) && !cJSON_IsBool(via_url)))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                           "Could not parse request body into json: a member of the request has the wrong type.");
    if (source_arn && (strncmp(source_arn, "arn:", 4) != 0 || strlen(source_arn) > 1024))
        return function_validation_error(err, source_arn, "sourceArn",
                                         "Member must satisfy regular expression pattern: "
                                         "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:"
                                         "(\\d{12})?:(.*)");
    if (account && *account && !all_digits(account, 12))
        return function_validation_error(err, account, "sourceAccount",
                                         "Member must satisfy regular expression pattern: \\d{12}");
    if (org && !org_id_valid(org))
        return function_validation_error(err, org, "principalOrgID",
                                         "Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}");
    if (token && (strlen(token) > 256 || !chars_in(token, "._-")))
        return function_validation_error(err, token, "eventSourceToken",
                                         "Member must satisfy regular expression pattern: [a-zA-Z0-9._\\-]+");
    if (auth && strcmp(auth, "NONE") != 0 && strcmp(auth, "AWS_IAM") != 0)
        return function_validation_error(err, auth, "functionUrlAuthType",
                                         "Member must satisfy enum value set: [NONE, AWS_IAM]");
    return true;
}

/* The Principal element AWS writes for the principal given. */
static cJSON *principal_element(const char *principal, lambda_error *err)
{
    if (strcmp(principal, "*") == 0)
        return cJSON_CreateString("*");
    cJSON *p = cJSON_CreateObject();
    if (all_digits(principal, 12)) {
        char arn[64];
        snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", principal);
        cJSON_AddStringToObject(p, "AWS", arn);
    } else if (strncmp(principal, "arn:", 4) == 0) {
        cJSON_AddStringToObject(p, "AWS", principal);
    } else if (strchr(principal, '.')) {
        cJSON_AddStringToObject(p, "Service", principal);
    } else {
        cJSON_Delete(p);
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "The provided principal was invalid. Please check the principal and try again.");
        return NULL;
    }
    return p;
}

static void add_condition(cJSON *statement, const char *op, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    cJSON *condition = cJSON_GetObjectItemCaseSensitive(statement, "Condition");
    if (!condition)
        condition = cJSON_AddObjectToObject(statement, "Condition");
    cJSON *test = cJSON_GetObjectItemCaseSensitive(condition, op);
    if (!test)
        test = cJSON_AddObjectToObject(condition, op);
    cJSON_AddStringToObject(test, key, value);
}

static const char *string_of(const cJSON *in, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, name));
}

cJSON *policy_statement_build(const cJSON *in, const char *resource_arn, lambda_error *err)
{
    if (!check_required(in, err) || !check_optional(in, err))
        return NULL;
    cJSON *principal = principal_element(string_of(in, "Principal"), err);
    if (!principal)
        return NULL;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Sid", string_of(in, "StatementId"));
    cJSON_AddStringToObject(s, "Effect", "Allow");
    cJSON_AddItemToObject(s, "Principal", principal);
    cJSON_AddStringToObject(s, "Action", string_of(in, "Action"));
    cJSON_AddStringToObject(s, "Resource", resource_arn);
    add_condition(s, "StringEquals", "AWS:SourceAccount", string_of(in, "SourceAccount"));
    add_condition(s, "StringEquals", "aws:PrincipalOrgID", string_of(in, "PrincipalOrgID"));
    add_condition(s, "StringEquals", "lambda:EventSourceToken", string_of(in, "EventSourceToken"));
    add_condition(s, "StringEquals", "lambda:FunctionUrlAuthType", string_of(in, "FunctionUrlAuthType"));
    add_condition(s, "ArnLike", "AWS:SourceArn", string_of(in, "SourceArn"));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "InvokedViaFunctionUrl")))
        add_condition(s, "Bool", "lambda:InvokedViaFunctionUrl", "true");
    return s;
}
