/* cfn/resource_props.h: what the providers share: checking a resource's properties against
 * the type's schema (names, types, required keys), coercing the strings YAML gives scalars
 * into the numbers and booleans the services want, generated physical names, the state
 * object, and failures in CloudFormation's wording. */
#ifndef SQSEMU_CFN_RESOURCE_PROPS_H
#define SQSEMU_CFN_RESOURCE_PROPS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "provider.h"

typedef enum prop_type {
    PROP_STRING,  /* a string (a number or boolean is turned into its text, as CloudFormation does) */
    PROP_INTEGER, /* a whole number, or a string holding one */
    PROP_NUMBER,  /* any number, or a string holding one */
    PROP_BOOLEAN, /* true/false, or "true"/"false" */
    PROP_OBJECT,  /* an object; its fields are checked when `fields` is set */
    PROP_LIST,    /* an array; each item checked against `items` when set */
    PROP_JSON,    /* a JSON document: an object, or a string holding one */
    PROP_ANY,
} prop_type;

typedef struct prop_spec {
    const char *name; /* NULL ends a list of specs */
    prop_type type;
    bool required;
    bool replace;                   /* "Update requires: Replacement" */
    const struct prop_spec *fields; /* PROP_OBJECT: its fields, NULL-name terminated */
    const struct prop_spec *items;  /* PROP_LIST: the spec of one item */
} prop_spec;

/* A copy of r->properties checked against specs, scalars coerced to their types; NULL with
 * err in CloudFormation's words when a property is unknown, missing or of the wrong type. */
cJSON *props_normalize(const cfn_resource *r, const prop_spec *specs, cfn_error *err);
/* Same, without a resource (a previous template's properties) and without the required
 * keys' check; NULL when they do not fit. */
cJSON *props_normalize_quiet(const cJSON *properties, const prop_spec *specs);
/* True when a property marked `replace` differs between old and r->properties. */
bool props_replacement_needed(const cJSON *old_properties, const cfn_resource *r, const prop_spec *specs);

const char *props_string(const cJSON *props, const char *name);
/* The Tags property ([{Key, Value}]) as one object {key: value} (a new object). */
cJSON *props_tag_map(const cJSON *props);
/* Adds the Tags property to a Lambda request body as {"Tags": {key: value}}, when it has any. */
void props_add_tags(cJSON *body, const cJSON *props);
/* The (normalized) property's value, or dflt when absent. */
long long props_int(const cJSON *props, const char *name, long long dflt);
bool props_bool(const cJSON *props, const char *name, bool dflt);

/* A name CloudFormation would generate: "<stack>-<logicalId>-<13 random upper alnum>"
 * cut to fit max_len with suffix (".fifo" or "") appended. Malloc'd. */
char *props_generated_name(const cfn_resource *r, size_t max_len, const char *suffix);

/* {"PhysicalResourceId": id, "Ref": ref, "Attributes": {}}; returns the new state. */
cJSON *props_state_new(const char *physical_id, const char *ref);
void props_state_attr(cJSON *state, const char *name, const char *value);
const char *props_state_string(const cJSON *state, const char *name);
const char *props_state_attr_string(const cJSON *state, const char *name);

/* A service's refusal as CloudFormation reports it: Resource handler returned message:
 * "<message>" (RequestToken: <uuid>, HandlerErrorCode: <code>). */
bool props_handler_fail(cfn_error *err, const char *handler_code, const char *message);
/* A property error: Properties validation failed for resource <id> with message: [...] */
bool props_validation_fail(cfn_error *err, const cfn_resource *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
