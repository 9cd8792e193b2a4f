/* logs/pattern: parsing and matching FilterLogEvents' term patterns (the subset is told in
 * pattern.h). A pattern is a list of terms, each a literal (matched as a case-sensitive
 * substring) or a compiled regular expression, with its role: required, one-of (?) or
 * excluded (-). */
#include "pattern.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

#define MAX_TERMS 64
#define MAX_REGEX_TERMS 2    /* AWS's quota: two regular expressions a filter pattern */
#define MAX_REGEX_COPIES 255 /* atoms after expanding {m,n}: regcomp and regexec grow with it */

typedef enum term_role { ROLE_REQUIRED, ROLE_ANY, ROLE_EXCLUDED } term_role;

typedef struct term {
    term_role role;
    char *text; /* the literal; NULL for a regex */
    size_t len;
    regex_t regex;
    bool is_regex;
} term;

struct logs_pattern {
    term terms[MAX_TERMS];
    size_t count;
    size_t regex_count;
    bool has_any;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool refuse(char *why, size_t size, const char *text)
{
    snprintf(why, size, "%s", text);
    return false;
}

/* A quoted phrase from *p (at the opening quote) into out; *p moves past the closing one. */
static bool read_quoted(const char **p, buf_t *out, char *why, size_t size)
{
    const char *s = *p + 1;
    for (; *s && *s != '"'; s++) {
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
            s++;
        buf_putc(out, *s);
    }
    if (*s != '"')
        return refuse(why, size, "Invalid filter pattern: a quoted term is not closed.");
    *p = s + 1;
    return true;
}

/* The number of a bound at *s, moving *s past its digits (saturating). */
static size_t bound_number(const char **s)
{
    size_t v = 0;
    for (; **s >= '0' && **s <= '9'; (*s)++)
        v = v > MAX_REGEX_COPIES ? v : v * 10 + (size_t)(**s - '0');
    return v;
}

/* How many atoms regcomp builds for re (len bytes): each atom once, times the bounds
 * stacked on it ({m}, {m,n}: the larger; {m,}: m + 1; +: 2). glibc copies an atom for each
 * repetition, so a{32767} or a{255}{255} would hold the loop for minutes. */
static size_t regex_copies(const char *re, size_t len)
{
    const char *s = re, *end = re + len;
    size_t total = 0, atom = 0;
    while (s < end && total + atom <= MAX_REGEX_COPIES) {
        if (*s == '{') {
            s++;
            size_t lo = bound_number(&s), hi = lo;
            if (*s == ',') {
                s++;
                hi = *s >= '0' && *s <= '9' ? bound_number(&s) : lo + 1;
            }
            size_t times = hi > lo ? hi : lo;
            atom = times > MAX_REGEX_COPIES || atom * times > MAX_REGEX_COPIES ? MAX_REGEX_COPIES + 1 : atom * times;
            s += s < end && *s == '}';
            continue;
        }
        if (*s == '+') {
            atom *= 2;
            s++;
            continue;
        }
        if (*s == '*' || *s == '?') {
            s++;
            continue;
        }
        total += atom;
        atom = *s == '|' || *s == '^' || *s == '$' ? 0 : 1;
        if (*s == '\\' && s + 1 < end) {
            s += 2;
        } else if (*s == '[') { /* a bracket expression: up to its closing ] */
            s++;
            s += s < end && *s == '^';
            s += s < end && *s == ']';
            while (s < end && *s != ']') {
                char kind = s + 1 < end && *s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=') ? s[1] : 0;
                s += kind ? 2 : 1;
                while (kind && s < end && !(s[0] == kind && s + 1 < end && s[1] == ']'))
                    s++; /* [:alpha:] and the like: up to their own :] */
                s += kind && s < end ? 2 : 0;
            }
            s += s < end;
        } else {
            s++;
        }
    }
    return total + atom;
}

/* A %regex% term from *p (at the first %). */
static bool read_regex(const char **p, buf_t *out, char *why, size_t size)
{
    const char *start = *p + 1;
    const char *end = strchr(start, '%');
    if (!end || end == start)
        return refuse(why, size, "Invalid filter pattern: a regular expression must be written as %expression%.");
    if (memchr(start, '(', (size_t)(end - start)) || memchr(start, ')', (size_t)(end - start)))
        return refuse(why, size, "Invalid filter pattern: the () operator is not supported in regular expressions.");
    if (regex_copies(start, (size_t)(end - start)) > MAX_REGEX_COPIES)
        return refuse(why, size, "Invalid filter pattern: the regular expression repeats too much (sqsemu allows 255 "
                                 "atoms once {m,n} bounds are expanded).");
    buf_append(out, start, (size_t)(end - start));
    *p = end + 1;
    return true;
}

static bool add_term(logs_pattern *pat, term_role role, buf_t *text, bool is_regex, char *why, size_t size)
{
    if (pat->count == MAX_TERMS)
        return refuse(why, size, "Invalid filter pattern: too many terms.");
    if (is_regex && ++pat->regex_count > MAX_REGEX_TERMS)
        return refuse(why, size, "Invalid filter pattern: at most 2 regular expressions are allowed.");
    term *t = &pat->terms[pat->count];
    memset(t, 0, sizeof *t);
    t->role = role;
    if (is_regex) {
        if (regcomp(&t->regex, text->data ? text->data : "", REG_EXTENDED | REG_NOSUB) != 0)
            return refuse(why, size, "Invalid filter pattern: the regular expression does not compile.");
        t->is_regex = true;
    } else {
        if (text->len == 0)
            return true; /* "" matches everything: no condition */
        t->len = text->len;
        t->text = buf_detach(text, NULL);
    }
    pat->has_any |= role == ROLE_ANY;
    pat->count++;
    return true;
}

/* One term starting at *p (not blank); *p moves past it. */
static bool read_term(logs_pattern *pat, const char **p, char *why, size_t size)
{
    const char *s = *p;
    term_role role = ROLE_REQUIRED;
    if (*s == '?' || *s == '-') {
        role = *s == '?' ? ROLE_ANY : ROLE_EXCLUDED;
        s++;
    }
    if (*s == '{' || *s == '[')
        return refuse(why, size, "This filter pattern is not supported by sqsemu: JSON ({ ... }) and space-delimited "
                                 "([ ... ]) patterns are not implemented; use terms, \"phrases\", ?terms, -terms or "
                                 "%regex%.");
    buf_t text;
    buf_init(&text);
    bool is_regex = *s == '%';
    bool ok = true;
    if (*s == '"')
        ok = read_quoted(&s, &text, why, size);
    else if (is_regex)
        ok = read_regex(&s, &text, why, size);
    else
        for (; *s && !is_blank(*s); s++)
            buf_putc(&text, *s);
    ok = ok && add_term(pat, role, &text, is_regex, why, size);
    buf_free(&text);
    *p = s;
    return ok;
}

logs_pattern *logs_pattern_parse(const char *text, char *why, size_t why_size)
{
    logs_pattern *pat = xcalloc(1, sizeof *pat);
    const char *p = text ? text : "";
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            return pat;
        if (!read_term(pat, &p, why, why_size))
            break;
    }
    logs_pattern_free(pat);
    return NULL;
}

static bool term_matches(const term *t, const char *message, size_t len)
{
    if (t->is_regex)
        return regexec(&t->regex, message, 0, NULL, 0) == 0;
    return memmem(message, len, t->text, t->len) != NULL;
}

bool logs_pattern_match(const logs_pattern *p, const char *message, size_t len)
{
    bool any = !p->has_any;
    for (size_t i = 0; i < p->count; i++) {
        const term *t = &p->terms[i];
        if (t->role == ROLE_ANY && any)
            continue; /* one ?-term already matched */
        bool hit = term_matches(t, message, len);
        if ((t->role == ROLE_REQUIRED && !hit) || (t->role == ROLE_EXCLUDED && hit))
            return false;
        if (t->role == ROLE_ANY)
            any = hit;
    }
    return any;
}

void logs_pattern_free(logs_pattern *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        if (p->terms[i].is_regex)
            regfree(&p->terms[i].regex);
        free(p->terms[i].text);
    }
    free(p);
}
