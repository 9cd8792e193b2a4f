/* lambda_rest_routes: the Lambda routes matched by path pattern rather than by the 2015
 * table of lambda_rest.c: the resource policy (AddPermission, GetPolicy, RemovePermission,
 * whose statement id is a fourth path segment) and the read operations that live under
 * later API dates (each Lambda feature keeps the date of the API version that brought it:
 * /2020-06-30/ code signing, /2021-07-20/ runtime management, /2021-10-31/ function URLs,
 * /2019-09-30/ provisioned concurrency, /2024-08-31/ recursion, /2018-10-31/ layers; the
 * paths are those of AWS's API reference and of botocore's model). A request no route
 * takes is named from the generated table of every operation (lambda_operations.c), so
 * that the UnknownOperationException says which operation sqsemu does not emulate. */
#include <stdlib.h>
#include <string.h>

#include "lambda_rest_internal.h"
#include "sqsemu/codec.h"

/* One path segment [start, end) of s, from *p (just after a '/'); false at the end. */
static bool take_segment(const char **p, const char *limit, const char **start, size_t *len)
{
    if (*p >= limit || **p != '/')
        return false;
    const char *s = *p + 1;
    const char *e = s;
    while (e < limit && *e != '/')
        e++;
    *start = s;
    *len = (size_t)(e - s);
    *p = e;
    return true;
}

static bool query_matches(const char *want, const form_params *query)
{
    if (!want)
        return true;
    if (*want == '!') /* "?!name": the route requires the parameter to be absent */
        return !query || !form_find(query, want + 1);
    const char *eq = strchr(want, '=');
    if (!eq || !query)
        return false;
    char name[32];
    size_t n = (size_t)(eq - want);
    if (n >= sizeof name)
        return false;
    memcpy(name, want, n);
    name[n] = '\0';
    const form_param *p = form_find(query, name);
    return p && strcmp(p->value, eq + 1) == 0;
}

static void free_captures(char **captures, int n)
{
    for (int i = 0; captures && i < n; i++) {
        free(captures[i]);
        captures[i] = NULL;
    }
}

bool lambda_rest_match(const char *pattern, const char *path, const form_params *query, char **captures, int max)
{
    const char *qmark = strchr(pattern, '?');
    const char *pattern_end = qmark ? qmark : pattern + strlen(pattern);
    const char *path_end = path + strlen(path);
    if (path_end > path + 1 && path_end[-1] == '/')
        path_end--; /* a trailing slash names the same resource */
    const char *pp = pattern, *sp = path;
    int taken = 0;
    const char *pseg, *sseg;
    size_t plen, slen;
    bool ok = true;
    while (ok && take_segment(&pp, pattern_end, &pseg, &plen)) {
        ok = take_segment(&sp, path_end, &sseg, &slen) && slen > 0;
        if (ok && plen == 2 && strncmp(pseg, "{}", 2) == 0) {
            if (captures && taken < max)
                captures[taken] = percent_decode(sseg, slen, NULL);
            taken++;
        } else if (ok) {
            ok = plen == slen && strncmp(pseg, sseg, plen) == 0;
        }
    }
    ok = ok && sp >= path_end && query_matches(qmark ? qmark + 1 : NULL, query);
    if (!ok)
        free_captures(captures, taken < max ? taken : max);
    return ok;
}

/* The routes: the labels are the function name and, for RemovePermission, the statement. */
typedef struct pattern_route {
    const char *method;
    const char *pattern;
    lambda_op op;
    int status;
    bool body;
} pattern_route;

static const pattern_route routes[] = {
    {"POST", "/2015-03-31/functions/{}/policy", LAMBDA_OP_ADD_PERMISSION, 201, true},
    {"GET", "/2015-03-31/functions/{}/policy", LAMBDA_OP_GET_POLICY, 200, false},
    {"DELETE", "/2015-03-31/functions/{}/policy/{}", LAMBDA_OP_REMOVE_PERMISSION, 204, false},
    {"GET", "/2020-06-30/functions/{}/code-signing-config", LAMBDA_OP_GET_CODE_SIGNING_CONFIG, 200, false},
    {"GET", "/2021-07-20/functions/{}/runtime-management-config", LAMBDA_OP_GET_RUNTIME_MANAGEMENT_CONFIG, 200,
     false},
    {"GET", "/2021-10-31/functions/{}/url", LAMBDA_OP_GET_URL_CONFIG, 200, false},
    {"GET", "/2021-10-31/functions/{}/urls", LAMBDA_OP_LIST_URL_CONFIGS, 200, false},
    {"GET", "/2024-08-31/functions/{}/recursion-config", LAMBDA_OP_GET_RECURSION_CONFIG, 200, false},
    {"GET", "/2019-09-30/functions/{}/provisioned-concurrency?List=ALL", LAMBDA_OP_LIST_PROVISIONED_CONCURRENCY,
     200, false},
    {"GET", "/2019-09-30/functions/{}/provisioned-concurrency", LAMBDA_OP_GET_PROVISIONED_CONCURRENCY, 200, false},
    {"GET", "/2018-10-31/layers?!find", LAMBDA_OP_LIST_LAYERS, 200, false}, /* not GetLayerVersionByArn */
};

static const char *query_value(const form_params *query, const char *name)
{
    const form_param *p = form_find(query, name);
    return p ? p->value : NULL;
}

bool lambda_rest_decode_more(const char *method, const char *path, lambda_rest_request *out, bool *body)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const pattern_route *r = &routes[i];
        if (strcmp(r->method, method) != 0 || !lambda_rest_match(r->pattern, path, &out->query, out->segments, 2))
            continue;
        lambda_call *c = &out->call;
        c->op = r->op;
        c->name = out->segments[0];
        c->statement_id = out->segments[1];
        c->qualifier = query_value(&out->query, "Qualifier");
        c->revision_id = query_value(&out->query, "RevisionId");
        c->marker = query_value(&out->query, "Marker");
        c->max_items = query_value(&out->query, "MaxItems");
        out->success_status = r->status;
        *body = r->body;
        return true;
    }
    return false;
}

const char *lambda_rest_unemulated_op(const char *method, const char *path, const form_params *query)
{
    for (const lambda_rest_operation *o = lambda_rest_operations; o->name; o++) {
        if (strcmp(o->method, method) == 0 && lambda_rest_match(o->pattern, path, query, NULL, 0))
            return o->name;
    }
    return NULL;
}
