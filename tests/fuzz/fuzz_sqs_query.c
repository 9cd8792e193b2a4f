/* fuzz_sqs_query: the query-protocol request path: form_parse (URL query string and
 * x-www-form-urlencoded body, parsed into one list as the router does), sqs_query_decode
 * for every SQS action, and the XML result encoder on what decodes.
 *
 * Input: the first byte picks the action (one of the 23, or "take the Action parameter" as
 * the router does); the rest is "<query string>\n<form body>" (no newline: all body).
 *
 * Invariants beyond "no crash":
 *  - form_parse fails only on a malformed %-escape (so never on input without '%');
 *  - parsed names are non-empty, hold no NUL byte and are unique; every value is
 *    NUL-terminated at value_len and form_find finds every name;
 *  - a failed decode fills in an error kind and a message;
 *  - a decoded request is typed as the JSON protocol types it: it passes
 *    sqs_shapes_check_json for the action, and its JSON text decodes through
 *    sqs_json_decode into the same tree (both protocols meet in one neutral request);
 *  - the XML result encoder writes a full response for the decoded tree. */
#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "sqsemu/form.h"
#include "sqsemu/sqs_json.h"
#include "sqsemu/sqs_query.h"
#include "sqsemu/sqs_shapes.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_params(const form_params *p)
{
    const char **names = xmalloc((p->count ? p->count : 1) * sizeof *names);
    for (size_t i = 0; i < p->count; i++) {
        const form_param *fp = &p->items[i];
        FUZZ_CHECK(fp->name && fp->name[0], "empty parameter name");
        FUZZ_CHECK(fp->value && fp->value[fp->value_len] == '\0', "value of %s not terminated", fp->name);
        FUZZ_CHECK(form_find(p, fp->name) == fp, "form_find misses %s", fp->name);
        names[i] = fp->name;
    }
    qsort(names, p->count, sizeof *names, compare_names);
    for (size_t i = 1; i < p->count; i++)
        FUZZ_CHECK(strcmp(names[i - 1], names[i]) != 0, "duplicate parameter %s", names[i]);
    free(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t pick = data[0] % (FUZZ_SQS_ACTION_COUNT + 1);
    const char *rest = (const char *)data + 1;
    size_t rest_len = size - 1;
    const char *newline = memchr(rest, '\n', rest_len);
    const char *query = newline ? rest : "";
    size_t query_len = newline ? (size_t)(newline - rest) : 0;
    const char *body = newline ? newline + 1 : rest;
    size_t body_len = rest_len - (size_t)(body - rest);

    form_params params;
    form_params_init(&params);
    bool parsed = form_parse(&params, query, query_len);
    FUZZ_CHECK(parsed || memchr(query, '%', query_len), "query string without %% rejected");
    if (parsed) {
        bool body_ok = form_parse(&params, body, body_len);
        FUZZ_CHECK(body_ok || memchr(body, '%', body_len), "form body without %% rejected");
        parsed = body_ok;
    }
    check_params(&params);
    if (!parsed) {
        form_params_free(&params);
        return 0;
    }

    const char *action = NULL;
    if (pick < FUZZ_SQS_ACTION_COUNT) {
        action = fuzz_sqs_actions[pick];
    } else {
        const form_param *a = form_find(&params, "Action");
        action = a ? a->value : NULL;
    }
    sqs_error err = {0};
    cJSON *input = sqs_query_decode(action, &params, &err);
    if (!input) {
        FUZZ_CHECK(err.kind != SQS_OK && err.message[0], "decode failed without an error");
        size_t len = 0;
        free(sqs_query_encode_error(&err, "req", &len));
        form_params_free(&params);
        return 0;
    }
    FUZZ_CHECK(action && sqs_action_known(action), "an unknown action decoded");
    sqs_error check_err = {0};
    FUZZ_CHECK(sqs_shapes_check_json(action, input, &check_err), "query-decoded %s input is mistyped: %s", action,
               check_err.message);
    size_t text_len = 0;
    char *text = sqs_json_encode_result(input, &text_len);
    cJSON *json = sqs_json_decode(action, text, text_len, &check_err);
    FUZZ_CHECK(json, "query-decoded %s input is no JSON-protocol request (%s): %s", action, check_err.message, text);
    FUZZ_CHECK(fuzz_same_tree(input, json), "the JSON text of a query-decoded %s input decodes differently: %s",
               action, text);
    cJSON_Delete(json);
    free(text);

    size_t xml_len = 0;
    char *xml = sqs_query_encode_result(action, input, "00000000-0000-0000-0000-000000000000", &xml_len);
    FUZZ_CHECK(xml && strlen(xml) == xml_len && strncmp(xml, "<?xml", 5) == 0, "XML result encoder output");
    free(xml);

    cJSON_Delete(input);
    form_params_free(&params);
    return 0;
}
