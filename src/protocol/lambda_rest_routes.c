/* lambda_rest_routes: the Lambda REST routes, one table of path patterns. Each Lambda
 * feature keeps the date of the API version that brought it: /2015-03-31/ functions,
 * mappings, versions, aliases and the policy; /2017-10-31/ and /2019-09-30/ reserved
 * concurrency; /2016-08-19/ account settings; /2019-09-25/ event invoke configs; and the
 * read operations of features sqsemu does not emulate: /2020-06-30/ code signing,
 * /2021-07-20/ runtime management, /2021-10-31/ function URLs, /2019-09-30/ provisioned
 * concurrency, /2024-08-31/ recursion, /2018-10-31/ layers (the paths are those of AWS's API
 * reference and of botocore's model). A request no route takes is named from the generated
 * table of every operation (lambda_operations.c), so that the UnknownOperationException
 * says which operation sqsemu does not emulate. */
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

/* Which lambda_call member a route's second {} label fills. */
typedef enum second_label { LABEL_NONE, LABEL_ALIAS, LABEL_STATEMENT } second_label;

/* One route: the method, the path pattern (the first {} label is the function name or the
 * mapping's UUID), the operation, its REST status, whether it reads a JSON body, and what
 * a second label is. The first matching row wins, so a row with a query condition comes
 * before the same path without one. */
typedef struct route {
    const char *method;
    const char *pattern;
    lambda_op op;
    int status;
    bool body;
    second_label second;
} route;

static const route routes[] = {
    /* functions */
    {"GET", "/2015-03-31/functions", LAMBDA_OP_LIST_FUNCTIONS, 200, false, LABEL_NONE},
    {"POST", "/2015-03-31/functions", LAMBDA_OP_CREATE_FUNCTION, 201, true, LABEL_NONE},
    {"GET", "/2015-03-31/functions/{}", LAMBDA_OP_GET_FUNCTION, 200, false, LABEL_NONE},
    {"DELETE", "/2015-03-31/functions/{}", LAMBDA_OP_DELETE_FUNCTION, 204, false, LABEL_NONE},
    {"GET", "/2015-03-31/functions/{}/configuration", LAMBDA_OP_GET_FUNCTION_CONFIGURATION, 200, false, LABEL_NONE},
    {"PUT", "/2015-03-31/functions/{}/configuration", LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION, 200, true,
     LABEL_NONE},
    {"PUT", "/2015-03-31/functions/{}/code", LAMBDA_OP_UPDATE_FUNCTION_CODE, 200, true, LABEL_NONE},
    {"POST", "/2015-03-31/functions/{}/invocations", LAMBDA_OP_INVOKE, 200, false, LABEL_NONE},
    /* event-source mappings */
    {"GET", "/2015-03-31/event-source-mappings", LAMBDA_OP_LIST_MAPPINGS, 200, false, LABEL_NONE},
    {"POST", "/2015-03-31/event-source-mappings", LAMBDA_OP_CREATE_MAPPING, 202, true, LABEL_NONE},
    {"GET", "/2015-03-31/event-source-mappings/{}", LAMBDA_OP_GET_MAPPING, 200, false, LABEL_NONE},
    {"PUT", "/2015-03-31/event-source-mappings/{}", LAMBDA_OP_UPDATE_MAPPING, 202, true, LABEL_NONE},
    {"DELETE", "/2015-03-31/event-source-mappings/{}", LAMBDA_OP_DELETE_MAPPING, 202, false, LABEL_NONE},
    /* versions and aliases */
    {"POST", "/2015-03-31/functions/{}/versions", LAMBDA_OP_PUBLISH_VERSION, 201, true, LABEL_NONE},
    {"GET", "/2015-03-31/functions/{}/versions", LAMBDA_OP_LIST_VERSIONS, 200, false, LABEL_NONE},
    {"POST", "/2015-03-31/functions/{}/aliases", LAMBDA_OP_CREATE_ALIAS, 201, true, LABEL_NONE},
    {"GET", "/2015-03-31/functions/{}/aliases", LAMBDA_OP_LIST_ALIASES, 200, false, LABEL_NONE},
    {"GET", "/2015-03-31/functions/{}/aliases/{}", LAMBDA_OP_GET_ALIAS, 200, false, LABEL_ALIAS},
    {"PUT", "/2015-03-31/functions/{}/aliases/{}", LAMBDA_OP_UPDATE_ALIAS, 200, true, LABEL_ALIAS},
    {"DELETE", "/2015-03-31/functions/{}/aliases/{}", LAMBDA_OP_DELETE_ALIAS, 204, false, LABEL_ALIAS},
    /* the resource-based policy */
    {"POST", "/2015-03-31/functions/{}/policy", LAMBDA_OP_ADD_PERMISSION, 201, true, LABEL_NONE},
    {"GET", "/2015-03-31/functions/{}/policy", LAMBDA_OP_GET_POLICY, 200, false, LABEL_NONE},
    {"DELETE", "/2015-03-31/functions/{}/policy/{}", LAMBDA_OP_REMOVE_PERMISSION, 204, false, LABEL_STATEMENT},
    /* reserved concurrency and the account */
    {"PUT", "/2017-10-31/functions/{}/concurrency", LAMBDA_OP_PUT_FUNCTION_CONCURRENCY, 200, true, LABEL_NONE},
    {"DELETE", "/2017-10-31/functions/{}/concurrency", LAMBDA_OP_DELETE_FUNCTION_CONCURRENCY, 204, false,
     LABEL_NONE},
    {"GET", "/2019-09-30/functions/{}/concurrency", LAMBDA_OP_GET_FUNCTION_CONCURRENCY, 200, false, LABEL_NONE},
    {"GET", "/2016-08-19/account-settings", LAMBDA_OP_GET_ACCOUNT_SETTINGS, 200, false, LABEL_NONE},
    /* asynchronous-invocation configuration */
    {"PUT", "/2019-09-25/functions/{}/event-invoke-config", LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG, 200, true,
     LABEL_NONE},
    {"POST", "/2019-09-25/functions/{}/event-invoke-config", LAMBDA_OP_UPDATE_EVENT_INVOKE_CONFIG, 200, true,
     LABEL_NONE},
    {"GET", "/2019-09-25/functions/{}/event-invoke-config", LAMBDA_OP_GET_EVENT_INVOKE_CONFIG, 200, false,
     LABEL_NONE},
    {"DELETE", "/2019-09-25/functions/{}/event-invoke-config", LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG, 204, false,
     LABEL_NONE},
    {"GET", "/2019-09-25/functions/{}/event-invoke-config/list", LAMBDA_OP_LIST_EVENT_INVOKE_CONFIGS, 200, false,
     LABEL_NONE},
    /* read operations for features sqsemu does not emulate */
    {"GET", "/2020-06-30/functions/{}/code-signing-config", LAMBDA_OP_GET_CODE_SIGNING_CONFIG, 200, false,
     LABEL_NONE},
    {"GET", "/2021-07-20/functions/{}/runtime-management-config", LAMBDA_OP_GET_RUNTIME_MANAGEMENT_CONFIG, 200,
     false, LABEL_NONE},
    {"GET", "/2021-10-31/functions/{}/url", LAMBDA_OP_GET_URL_CONFIG, 200, false, LABEL_NONE},
    {"GET", "/2021-10-31/functions/{}/urls", LAMBDA_OP_LIST_URL_CONFIGS, 200, false, LABEL_NONE},
    {"GET", "/2024-08-31/functions/{}/recursion-config", LAMBDA_OP_GET_RECURSION_CONFIG, 200, false, LABEL_NONE},
    {"GET", "/2019-09-30/functions/{}/provisioned-concurrency?List=ALL", LAMBDA_OP_LIST_PROVISIONED_CONCURRENCY,
     200, false, LABEL_NONE},
    {"GET", "/2019-09-30/functions/{}/provisioned-concurrency", LAMBDA_OP_GET_PROVISIONED_CONCURRENCY, 200, false,
     LABEL_NONE},
    {"GET", "/2018-10-31/layers?!find", LAMBDA_OP_LIST_LAYERS, 200, false, LABEL_NONE}, /* not GetLayerVersionByArn */
};

static const char *query_value(const form_params *query, const char *name)
{
    const form_param *p = form_find(query, name);
    return p ? p->value : NULL;
}

bool lambda_rest_route(const char *method, const char *path, lambda_rest_request *out, bool *body)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *r = &routes[i];
        if (strcmp(r->method, method) != 0 || !lambda_rest_match(r->pattern, path, &out->query, out->segments, 2))
            continue;
        lambda_call *c = &out->call;
        c->op = r->op;
        c->name = out->segments[0];
        c->alias = r->second == LABEL_ALIAS ? out->segments[1] : NULL;
        c->statement_id = r->second == LABEL_STATEMENT ? out->segments[1] : NULL;
        c->qualifier = query_value(&out->query, "Qualifier");
        c->revision_id = query_value(&out->query, "RevisionId");
        c->marker = query_value(&out->query, "Marker");
        c->max_items = query_value(&out->query, "MaxItems");
        c->function_version = query_value(&out->query, "FunctionVersion");
        c->event_source_arn = query_value(&out->query, "EventSourceArn");
        c->function_name = query_value(&out->query, "FunctionName");
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
