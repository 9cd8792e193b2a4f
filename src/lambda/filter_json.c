/* lambda/filter_json: a small strict JSON parser (RFC 8259) for filter patterns and the
 * record bodies they are matched against. Unlike cJSON it keeps the literal text of
 * numbers (plain equality compares it) and decodes strings to bytes, lone surrogates
 * becoming U+FFFD. Values live in an arena: blocks of memory that are only ever freed
 * together, by filter_arena_release; a filter's arena lives as long as the filter, a
 * body's for one call of filter_matches. */
#include "filter_json.h"

#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"

/* ------------------------------------------------------------------ arena */

typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t cap;
    max_align_t data[]; /* cap bytes */
} arena_block;

#define ARENA_BLOCK_SIZE 4096

void *filter_arena_alloc(filter_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += size;
    return p;
}

void filter_arena_release(filter_arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ------------------------------------------------------------------ parser */

#define JSON_MAX_DEPTH 512

typedef struct jparser {
    const char *p;
    const char *end;
    filter_arena *a;
    int depth;
} jparser;

static void jp_skip_ws(jparser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool jp_literal(jparser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static bool jp_hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0)
            return false;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return true;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string starting at the opening quote. The decoded text is never longer than
 * the escaped source, so the source length bounds the allocation. Lone surrogates become
 * U+FFFD. Raw bytes >= 0x80 are copied unchanged. */
static bool jp_string(jparser *ps, const char **text, size_t *len)
{
    const char *start = ++ps->p;
    const char *q = start;
    while (q < ps->end && *q != '"') {
        if (*q == '\\' && ps->end - q < 2)
            return false;
        q += *q == '\\' ? 2 : 1;
    }
    if (q >= ps->end)
        return false;
    char *out = filter_arena_alloc(ps->a, (size_t)(q - start) + 1);
    size_t n = 0;
    const char *p = start;
    while (p < q) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20)
            return false;
        if (c != '\\') {
            out[n++] = (char)c;
            p++;
            continue;
        }
        p++;
        switch (*p) {
        case '"': out[n++] = '"'; p++; break;
        case '\\': out[n++] = '\\'; p++; break;
        case '/': out[n++] = '/'; p++; break;
        case 'b': out[n++] = '\b'; p++; break;
        case 'f': out[n++] = '\f'; p++; break;
        case 'n': out[n++] = '\n'; p++; break;
        case 'r': out[n++] = '\r'; p++; break;
        case 't': out[n++] = '\t'; p++; break;
        case 'u': {
            unsigned cp;
            if (!jp_hex4(p + 1, q, &cp))
                return false;
            p += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (q - p >= 6 && p[0] == '\\' && p[1] == 'u' && jp_hex4(p + 2, q, &lo) && lo >= 0xDC00 &&
                    lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            return false;
        }
    }
    out[n] = '\0';
    ps->p = q + 1;
    *text = out;
    *len = n;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 8259 number grammar; keeps the literal text. */
static bool jp_number(jparser *ps, jv *v)
{
    const char *s = ps->p;
    const char *p = s;
    if (p < ps->end && *p == '-')
        p++;
    if (p >= ps->end || !is_digit(*p))
        return false;
    if (*p == '0') {
        p++;
    } else {
        while (p < ps->end && is_digit(*p))
            p++;
    }
    if (p < ps->end && *p == '.') {
        p++;
        if (p >= ps->end || !is_digit(*p))
            return false;
        while (p < ps->end && is_digit(*p))
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= ps->end || !is_digit(*p))
            return false;
        while (p < ps->end && is_digit(*p))
            p++;
    }
    size_t n = (size_t)(p - s);
    char *text = filter_arena_alloc(ps->a, n + 1);
    memcpy(text, s, n);
    text[n] = '\0';
    v->kind = JV_NUMBER;
    v->text = text;
    v->len = n;
    v->num = strtod(text, NULL);
    ps->p = p;
    return true;
}

static jv *jp_value(jparser *ps);

static bool jp_container(jparser *ps, jv *v, bool object)
{
    if (++ps->depth > JSON_MAX_DEPTH)
        return false;
    ps->p++;
    v->kind = object ? JV_OBJECT : JV_ARRAY;
    jv **tail = &v->first;
    jp_skip_ws(ps);
    char close = object ? '}' : ']';
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return true;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        if (object) {
            jp_skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"' || !jp_string(ps, &key, &key_len))
                return false;
            jp_skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return false;
            ps->p++;
        }
        jv *child = jp_value(ps);
        if (!child)
            return false;
        child->key = key;
        child->key_len = key_len;
        *tail = child;
        tail = &child->next;
        v->count++;
        jp_skip_ws(ps);
        if (ps->p >= ps->end)
            return false;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != close)
            return false;
        ps->p++;
        ps->depth--;
        return true;
    }
}

static jv *jp_value(jparser *ps)
{
    jp_skip_ws(ps);
    if (ps->p >= ps->end)
        return NULL;
    jv *v = filter_arena_alloc(ps->a, sizeof *v);
    memset(v, 0, sizeof *v);
    bool ok;
    switch (*ps->p) {
    case '{': ok = jp_container(ps, v, true); break;
    case '[': ok = jp_container(ps, v, false); break;
    case '"':
        v->kind = JV_STRING;
        ok = jp_string(ps, &v->text, &v->len);
        break;
    case 't': v->kind = JV_TRUE; ok = jp_literal(ps, "true"); break;
    case 'f': v->kind = JV_FALSE; ok = jp_literal(ps, "false"); break;
    case 'n': v->kind = JV_NULL; ok = jp_literal(ps, "null"); break;
    default: ok = jp_number(ps, v); break;
    }
    return ok ? v : NULL;
}

jv *filter_json_parse(filter_arena *a, const char *text, size_t len)
{
    jparser ps = {.p = text, .end = text + len, .a = a, .depth = 0};
    jv *v = jp_value(&ps);
    if (!v)
        return NULL;
    jp_skip_ws(&ps);
    return ps.p == ps.end ? v : NULL;
}
