/* lambda/filter: FilterCriteria patterns of event-source mappings (Lambda's "Event
 * filtering" guide; the operators and the choices below are in docs/lambda-semantics.md).
 *
 * A pattern is parsed once by the strict JSON parser of filter_json.c (it keeps the literal
 * text of numbers, which plain equality compares) and compiled here into a tree of key
 * nodes and leaf conditions. Everything a filter owns lives in one arena freed by
 * filter_free. Record bodies that have to be matched as JSON are parsed with the same
 * parser into a per-call arena.
 *
 * Semantics chosen where AWS's documentation leaves room:
 *  - plain equality of numbers compares the literal JSON text (300 != 300.0); numbers of
 *    the cJSON record (which keeps no text) are compared in their shortest form;
 *    anything-but with numbers and numeric compare values;
 *  - a leaf sees the scalar values at its path: arrays are flattened, objects hold no
 *    value; exists:true needs at least one value, exists:false none;
 *  - an object pattern over an array matches when one object element matches as a whole;
 *  - equals-ignore-case folds ASCII letters only;
 *  - top-level eventSource, eventSourceARN and awsRegion are treated as absent (Lambda
 *    adds them after filtering);
 *  - a record's body is matched as JSON when it parses (strictly) as an object or array,
 *    and as a plain string otherwise: a pattern on body keys then matches nothing, a
 *    pattern on the body itself compares the string. */
#include "filter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter_json.h"
#include "sqsemu/buf.h"

static bool key_is(const jv *v, const char *word)
{
    return v->key_len == strlen(word) && memcmp(v->key, word, v->key_len) == 0;
}

/* ------------------------------------------------------------------ compiled pattern */

typedef enum {
    COND_STRING,      /* exact string */
    COND_NUMBER,      /* number with the same literal text */
    COND_TRUE,
    COND_FALSE,
    COND_NULL,
    COND_ANYTHING_BUT,
    COND_NUMERIC,
    COND_EXISTS,
    COND_PREFIX,
    COND_SUFFIX,
    COND_EQUALS_IGNORE_CASE,
} cond_kind;

typedef enum { OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE } num_op;

typedef struct cond {
    cond_kind kind;
    const char *text; /* string / number text / prefix / suffix / equals-ignore-case */
    size_t len;
    int nops; /* numeric: 1 or 2 comparisons */
    num_op ops[2];
    double vals[2];
    bool exists;
    bool numbers;      /* anything-but: the excluded values are numbers (else strings) */
    const jv **values; /* anything-but: excluded values */
    size_t nvalues;
    struct cond *next;
} cond;

typedef struct pnode {
    const char *key;
    size_t key_len;
    bool leaf;
    cond *conds;             /* leaf: OR of these */
    struct pnode *children;  /* object: AND of these */
    struct pnode *next;
} pnode;

struct event_filter {
    filter_arena a;
    pnode *root; /* the top-level keys */
};

static bool parse_num_op(const jv *v, num_op *op)
{
    if (v->kind != JV_STRING)
        return false;
    static const struct {
        const char *text;
        num_op op;
    } ops[] = {{"=", OP_EQ}, {"<", OP_LT}, {"<=", OP_LE}, {">", OP_GT}, {">=", OP_GE}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (v->len == strlen(ops[i].text) && memcmp(v->text, ops[i].text, v->len) == 0) {
            *op = ops[i].op;
            return true;
        }
    }
    return false;
}

static bool finite_number(const jv *v)
{
    return v->kind == JV_NUMBER && isfinite(v->num);
}

/* ["op", n] or [">"/">=", low, "<"/"<=", high] with low < high. */
static bool compile_numeric(cond *c, const jv *arg)
{
    if (arg->kind != JV_ARRAY || (arg->count != 2 && arg->count != 4))
        return false;
    const jv *e = arg->first;
    c->nops = (int)arg->count / 2;
    for (int i = 0; i < c->nops; i++) {
        if (!parse_num_op(e, &c->ops[i]) || !finite_number(e->next))
            return false;
        c->vals[i] = e->next->num;
        e = e->next->next;
    }
    if (c->nops == 2) {
        if (c->ops[0] != OP_GT && c->ops[0] != OP_GE)
            return false;
        if (c->ops[1] != OP_LT && c->ops[1] != OP_LE)
            return false;
        if (!(c->vals[0] < c->vals[1]))
            return false;
    }
    return true;
}

/* A single string or number, or a non-empty array of only strings or only numbers.
 * The object forms ({"prefix": ...} and friends) are EventBridge-only: rejected. */
static bool compile_anything_but(filter_arena *a, cond *c, const jv *arg)
{
    if (arg->kind == JV_STRING || arg->kind == JV_NUMBER) {
        if (arg->kind == JV_NUMBER && !finite_number(arg))
            return false;
        c->values = filter_arena_alloc(a, sizeof *c->values);
        c->values[0] = arg;
        c->nvalues = 1;
        c->numbers = arg->kind == JV_NUMBER;
        return true;
    }
    if (arg->kind != JV_ARRAY || arg->count == 0)
        return false;
    jv_kind kind = arg->first->kind;
    if (kind != JV_STRING && kind != JV_NUMBER)
        return false;
    c->values = filter_arena_alloc(a, arg->count * sizeof *c->values);
    for (const jv *e = arg->first; e; e = e->next) {
        if (e->kind != kind || (kind == JV_NUMBER && !finite_number(e)))
            return false;
        c->values[c->nvalues++] = e;
    }
    c->numbers = kind == JV_NUMBER;
    return true;
}

/* One element of a leaf array. */
static cond *compile_cond(filter_arena *a, const jv *v)
{
    cond *c = filter_arena_alloc(a, sizeof *c);
    memset(c, 0, sizeof *c);
    switch (v->kind) {
    case JV_STRING:
        c->kind = COND_STRING;
        c->text = v->text;
        c->len = v->len;
        return c;
    case JV_NUMBER:
        c->kind = COND_NUMBER;
        c->text = v->text;
        c->len = v->len;
        return c;
    case JV_TRUE: c->kind = COND_TRUE; return c;
    case JV_FALSE: c->kind = COND_FALSE; return c;
    case JV_NULL: c->kind = COND_NULL; return c;
    case JV_OBJECT: break;
    default: return NULL;
    }
    /* operator object: exactly one member */
    if (v->count != 1)
        return NULL;
    const jv *arg = v->first;
    if (key_is(arg, "anything-but")) {
        c->kind = COND_ANYTHING_BUT;
        return compile_anything_but(a, c, arg) ? c : NULL;
    }
    if (key_is(arg, "numeric")) {
        c->kind = COND_NUMERIC;
        return compile_numeric(c, arg) ? c : NULL;
    }
    if (key_is(arg, "exists")) {
        if (arg->kind != JV_TRUE && arg->kind != JV_FALSE)
            return NULL;
        c->kind = COND_EXISTS;
        c->exists = arg->kind == JV_TRUE;
        return c;
    }
    if (key_is(arg, "prefix"))
        c->kind = COND_PREFIX;
    else if (key_is(arg, "suffix"))
        c->kind = COND_SUFFIX;
    else if (key_is(arg, "equals-ignore-case"))
        c->kind = COND_EQUALS_IGNORE_CASE;
    else
        return NULL; /* unknown or unsupported operator (wildcard, cidr, $or ...) */
    if (arg->kind != JV_STRING)
        return NULL;
    c->text = arg->text;
    c->len = arg->len;
    return c;
}

/* Compiles the members of a pattern object. Empty objects are invalid (as in EventBridge);
 * when a key occurs twice the last occurrence wins. */
static bool compile_object(filter_arena *a, const jv *obj, pnode **out)
{
    if (obj->kind != JV_OBJECT || obj->count == 0)
        return false;
    pnode *head = NULL;
    pnode **tail = &head;
    for (const jv *m = obj->first; m; m = m->next) {
        pnode *n = NULL;
        for (pnode *p = head; p; p = p->next) {
            if (p->key_len == m->key_len && memcmp(p->key, m->key, m->key_len) == 0) {
                n = p;
                break;
            }
        }
        if (!n) {
            n = filter_arena_alloc(a, sizeof *n);
            memset(n, 0, sizeof *n);
            n->key = m->key;
            n->key_len = m->key_len;
            *tail = n;
            tail = &n->next;
        }
        n->conds = NULL;
        n->children = NULL;
        if (m->kind == JV_OBJECT) {
            n->leaf = false;
            if (!compile_object(a, m, &n->children))
                return false;
        } else if (m->kind == JV_ARRAY) {
            if (m->count == 0)
                return false;
            n->leaf = true;
            cond **ctail = &n->conds;
            for (const jv *e = m->first; e; e = e->next) {
                cond *c = compile_cond(a, e);
                if (!c)
                    return false;
                *ctail = c;
                ctail = &c->next;
            }
        } else {
            return false; /* a leaf must be an array */
        }
    }
    *out = head;
    return true;
}

event_filter *filter_parse(const char *pattern_json)
{
    if (!pattern_json)
        return NULL;
    event_filter *f = xcalloc(1, sizeof *f);
    const jv *doc = filter_json_parse(&f->a, pattern_json, strlen(pattern_json));
    if (!doc || !compile_object(&f->a, doc, &f->root)) {
        filter_free(f);
        return NULL;
    }
    return f;
}

void filter_free(event_filter *f)
{
    if (!f)
        return;
    filter_arena_release(&f->a);
    free(f);
}

/* ------------------------------------------------------------------ values to match */

/* A record value: either a cJSON node (the record) or a jv node (a parsed body).
 * Both NULL means "absent". */
typedef struct vref {
    const cJSON *c;
    const jv *j;
} vref;

static const vref ABSENT = {NULL, NULL};

static jv_kind vref_kind(vref v)
{
    if (v.j)
        return v.j->kind;
    if (!v.c)
        return JV_OTHER;
    if (cJSON_IsNull(v.c))
        return JV_NULL;
    if (cJSON_IsFalse(v.c))
        return JV_FALSE;
    if (cJSON_IsTrue(v.c))
        return JV_TRUE;
    if (cJSON_IsNumber(v.c))
        return JV_NUMBER;
    if (cJSON_IsString(v.c))
        return v.c->valuestring ? JV_STRING : JV_OTHER;
    if (cJSON_IsArray(v.c))
        return JV_ARRAY;
    if (cJSON_IsObject(v.c))
        return JV_OBJECT;
    return JV_OTHER;
}

static bool vref_absent(vref v)
{
    return !v.c && !v.j;
}

static vref vref_first(vref v)
{
    vref r = ABSENT;
    if (v.j)
        r.j = v.j->first;
    else if (v.c)
        r.c = v.c->child;
    return r;
}

static vref vref_next(vref v)
{
    vref r = ABSENT;
    if (v.j)
        r.j = v.j->next;
    else if (v.c)
        r.c = v.c->next;
    return r;
}

/* Member of an object; with duplicate names the last one counts. */
static vref vref_member(vref obj, const char *key, size_t key_len)
{
    vref found = ABSENT;
    if (vref_kind(obj) != JV_OBJECT)
        return found;
    for (vref m = vref_first(obj); !vref_absent(m); m = vref_next(m)) {
        if (m.j) {
            if (m.j->key_len == key_len && memcmp(m.j->key, key, key_len) == 0)
                found = m;
        } else if (m.c->string && strlen(m.c->string) == key_len && memcmp(m.c->string, key, key_len) == 0) {
            found = m;
        }
    }
    return found;
}

/* A scalar as the conditions see it. */
typedef struct scalar {
    jv_kind kind;
    const char *text; /* string bytes or number text */
    size_t len;
    double num;
    char numbuf[40];
} scalar;

/* Shortest text that reads back as d (cJSON numbers carry no literal text). */
static void format_number(double d, char *out, size_t size)
{
    if (d == 0 || (fabs(d) < 1e15 && d == (double)(long long)d)) {
        snprintf(out, size, "%lld", (long long)d);
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(out, size, "%.*g", precision, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static void vref_scalar(vref v, scalar *s)
{
    s->kind = vref_kind(v);
    s->text = NULL;
    s->len = 0;
    s->num = 0;
    if (v.j) {
        s->text = v.j->text;
        s->len = v.j->len;
        s->num = v.j->num;
        return;
    }
    if (s->kind == JV_STRING) {
        s->text = v.c->valuestring;
        s->len = strlen(v.c->valuestring);
    } else if (s->kind == JV_NUMBER) {
        s->num = v.c->valuedouble;
        format_number(s->num, s->numbuf, sizeof s->numbuf);
        s->text = s->numbuf;
        s->len = strlen(s->numbuf);
    }
}

/* ------------------------------------------------------------------ matching */

static bool bytes_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool numeric_holds(num_op op, double value, double bound)
{
    switch (op) {
    case OP_EQ: return value == bound;
    case OP_LT: return value < bound;
    case OP_LE: return value <= bound;
    case OP_GT: return value > bound;
    case OP_GE: return value >= bound;
    }
    return false;
}

/* Whether one scalar value satisfies a value condition (exists is handled by the caller). */
static bool cond_matches(const cond *c, const scalar *s)
{
    switch (c->kind) {
    case COND_STRING:
        return s->kind == JV_STRING && bytes_equal(s->text, s->len, c->text, c->len);
    case COND_NUMBER:
        return s->kind == JV_NUMBER && bytes_equal(s->text, s->len, c->text, c->len);
    case COND_TRUE: return s->kind == JV_TRUE;
    case COND_FALSE: return s->kind == JV_FALSE;
    case COND_NULL: return s->kind == JV_NULL;
    case COND_PREFIX:
        return s->kind == JV_STRING && s->len >= c->len && memcmp(s->text, c->text, c->len) == 0;
    case COND_SUFFIX:
        return s->kind == JV_STRING && s->len >= c->len && memcmp(s->text + s->len - c->len, c->text, c->len) == 0;
    case COND_EQUALS_IGNORE_CASE:
        if (s->kind != JV_STRING || s->len != c->len)
            return false;
        for (size_t i = 0; i < s->len; i++) {
            if (ascii_lower(s->text[i]) != ascii_lower(c->text[i]))
                return false;
        }
        return true;
    case COND_NUMERIC:
        if (s->kind != JV_NUMBER)
            return false;
        for (int i = 0; i < c->nops; i++) {
            if (!numeric_holds(c->ops[i], s->num, c->vals[i]))
                return false;
        }
        return true;
    case COND_ANYTHING_BUT:
        for (size_t i = 0; i < c->nvalues; i++) {
            const jv *x = c->values[i];
            if (c->numbers) {
                if (s->kind == JV_NUMBER && s->num == x->num)
                    return false;
            } else if (s->kind == JV_STRING && bytes_equal(s->text, s->len, x->text, x->len)) {
                return false;
            }
        }
        return true;
    case COND_EXISTS:
        return false;
    }
    return false;
}

/* Visits the scalar values at a leaf (arrays are flattened, objects hold no leaf value).
 * Returns true as soon as one satisfies a value condition; *seen tells whether any
 * scalar was there at all (for exists). */
static bool leaf_values_match(const cond *conds, vref v, bool *seen)
{
    jv_kind kind = vref_kind(v);
    if (vref_absent(v) || kind == JV_OBJECT || kind == JV_OTHER)
        return false;
    if (kind == JV_ARRAY) {
        for (vref e = vref_first(v); !vref_absent(e); e = vref_next(e)) {
            if (leaf_values_match(conds, e, seen))
                return true;
        }
        return false;
    }
    *seen = true;
    scalar s;
    vref_scalar(v, &s);
    for (const cond *c = conds; c; c = c->next) {
        if (c->kind != COND_EXISTS && cond_matches(c, &s))
            return true;
    }
    return false;
}

static bool leaf_matches(const cond *conds, vref v)
{
    bool seen = false;
    if (leaf_values_match(conds, v, &seen))
        return true;
    for (const cond *c = conds; c; c = c->next) {
        if (c->kind == COND_EXISTS && c->exists == seen)
            return true;
    }
    return false;
}

static bool object_matches(const pnode *keys, vref v);

static bool key_matches(const pnode *p, vref member)
{
    return p->leaf ? leaf_matches(p->conds, member) : object_matches(p->children, member);
}

/* All keys must match. An array stands for its elements: it matches when one of its
 * object (or nested array) elements matches as a whole; an array without such elements
 * behaves like an absent value. Scalars and absent values have no members. */
static bool object_matches(const pnode *keys, vref v)
{
    if (vref_kind(v) == JV_ARRAY) {
        bool any_container = false;
        for (vref e = vref_first(v); !vref_absent(e); e = vref_next(e)) {
            jv_kind k = vref_kind(e);
            if (k != JV_OBJECT && k != JV_ARRAY)
                continue;
            any_container = true;
            if (object_matches(keys, e))
                return true;
        }
        if (any_container)
            return false;
        v = ABSENT;
    }
    for (const pnode *p = keys; p; p = p->next) {
        if (!key_matches(p, vref_member(v, p->key, p->key_len)))
            return false;
    }
    return true;
}

/* The SQS body: a string that is "JSON" when it parses as an object or array. */
typedef struct body_state {
    bool parsed;
    const jv *json; /* NULL when the body is not JSON */
    filter_arena a;
} body_state;

static const jv *body_json(body_state *b, const char *body)
{
    if (b->parsed)
        return b->json;
    b->parsed = true;
    const char *p = body;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p != '{' && *p != '[')
        return NULL; /* a scalar or not JSON at all: a plain string */
    b->json = filter_json_parse(&b->a, body, strlen(body));
    return b->json;
}

/* Keys Lambda adds to SQS records only after filtering (eventSource, eventSourceARN,
 * awsRegion): a pattern on them never matches. */
static bool added_after_filtering(const pnode *p)
{
    return bytes_equal(p->key, p->key_len, "eventSource", 11) || bytes_equal(p->key, p->key_len, "eventSourceARN", 14) ||
           bytes_equal(p->key, p->key_len, "awsRegion", 9);
}

static bool top_key_matches(const pnode *p, const cJSON *record, body_state *body)
{
    vref member = added_after_filtering(p) ? ABSENT : vref_member((vref){record, NULL}, p->key, p->key_len);
    if (!bytes_equal(p->key, p->key_len, "body", 4) || vref_kind(member) != JV_STRING)
        return key_matches(p, member);
    const jv *json = body_json(body, member.c->valuestring);
    if (p->leaf)
        return json ? false : leaf_matches(p->conds, member); /* JSON body vs plain leaf: drop */
    if (!json)
        return false; /* plain body vs JSON pattern: drop */
    return object_matches(p->children, (vref){NULL, json});
}

bool filter_matches(const event_filter *f, const cJSON *record)
{
    if (!f || !cJSON_IsObject(record))
        return false;
    body_state body = {0};
    bool ok = true;
    for (const pnode *p = f->root; p && ok; p = p->next)
        ok = top_key_matches(p, record, &body);
    filter_arena_release(&body.a);
    return ok;
}
