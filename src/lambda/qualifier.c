/* lambda/qualifier: what a qualified function name runs. A qualifier (the name's
 * ":qualifier" or ?Qualifier, AWS's "Qualified ARN" forms) is $LATEST, a version number
 * or an alias; a version resolves to its snapshot, an alias to its version, and a weighted
 * alias to one of its two versions by a random draw for each invocation (AWS's developer
 * guide: "Lambda routes traffic between the two versions according to the weights").
 * functions_resolve (functions.c) validates a qualifier the same way, for operations
 * that only need the function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "function.h"
#include "versions.h"

void json_clear_object(cJSON *obj)
{
    while (obj && obj->child)
        cJSON_Delete(cJSON_DetachItemViaPointer(obj, obj->child));
}

double qualifier_draw(void)
{
    uint64_t bits = 0;
    if (RAND_bytes((unsigned char *)&bits, sizeof bits) != 1)
        bits = ((uint64_t)rand() << 32) ^ (uint64_t)rand();
    return (double)(bits >> 11) / 9007199254740992.0; /* 53 random bits in [0, 1) */
}

/* Fills out->run/alias/executed for qualifier q of f; false when q names nothing. */
static bool resolve_qualifier(lambda_function *f, const char *q, bool pick, function_target *out)
{
    out->function = f;
    snprintf(out->qualifier, sizeof out->qualifier, "%s", q);
    const char *version = q;
    if (*q && strcmp(q, "$LATEST") != 0 && !version_find(f, q)) {
        out->alias = alias_find(f, q);
        if (!out->alias)
            return false;
        version = pick ? alias_pick(out->alias->record, qualifier_draw())
                       : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out->alias->record, "FunctionVersion"));
    }
    if (!version || !*version || strcmp(version, "$LATEST") == 0) {
        out->run = f;
        snprintf(out->executed, sizeof out->executed, "$LATEST");
        return true;
    }
    out->run = version_find(f, version);
    snprintf(out->executed, sizeof out->executed, "%.15s", version);
    return out->run != NULL;
}

bool functions_resolve_target(const lambda_ctx *ctx, const char *name, const char *qualifier, bool pick,
                              function_target *out, lambda_error *err)
{
    memset(out, 0, sizeof *out);
    lambda_function *f = functions_resolve(ctx, name, qualifier, pick, err);
    if (!f)
        return false;
    function_ref ref;
    if (!function_ref_parse(ctx, name, &ref, err))
        return false;
    const char *q = *ref.qualifier ? ref.qualifier : (qualifier ? qualifier : "");
    if (!resolve_qualifier(f, q, pick, out))
        return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", f->arn, q);
    return true;
}

lambda_function *functions_find_qualified(const function_ref *ref)
{
    lambda_function *f = functions_find(ref->account, ref->region, ref->name);
    function_target t;
    memset(&t, 0, sizeof t);
    return f && resolve_qualifier(f, ref->qualifier, false, &t) ? f : NULL;
}

lambda_function *functions_resolve_unqualified(const lambda_ctx *ctx, const char *name, lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
    function_ref ref;
    if (f && function_ref_parse(ctx, name, &ref, err) && *ref.qualifier && strcmp(ref.qualifier, "$LATEST") != 0) {
        lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", f->arn, ref.qualifier);
        return NULL;
    }
    return f;
}

lambda_function *functions_runnable(const char *arn, char executed[16])
{
    char region[64] = "", account[16] = "", name[160] = "", qualifier[130] = "";
    if (!arn || sscanf(arn, "arn:aws:lambda:%63[^:]:%15[^:]:function:%159[^:]:%129s", region, account, name,
                       qualifier) < 3)
        return NULL;
    lambda_function *f = functions_find(account, region, name);
    function_target t;
    memset(&t, 0, sizeof t);
    if (!f || !resolve_qualifier(f, qualifier, true, &t))
        return NULL;
    if (executed)
        memcpy(executed, t.executed, sizeof t.executed);
    return t.run;
}
