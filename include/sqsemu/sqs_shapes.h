/* sqs_shapes: the input shapes of the 23 SQS actions (member names, types, query names),
 * shared by the JSON codec (type checking) and the query codec (unflattening). */
#ifndef SQSEMU_SQS_SHAPES_H
#define SQSEMU_SQS_SHAPES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs_error.h"

/* How a member is typed in JSON and flattened on the query protocol. */
typedef enum sqs_member_kind {
    SQS_MEMBER_STRING,        /* JSON string (blobs too: base64); query Name=v */
    SQS_MEMBER_INTEGER,       /* JSON number without fraction; query Name=42 */
    SQS_MEMBER_BOOLEAN,       /* JSON true/false; query Name=true */
    SQS_MEMBER_STRING_LIST,   /* JSON array of strings; query Name.N=v */
    SQS_MEMBER_STRING_MAP,    /* JSON object of strings; query Name.N.<key_name>, Name.N.<value_name> */
    SQS_MEMBER_STRUCT_MAP,    /* JSON object of structures (message attributes); query
                               * Name.N.<key_name>, Name.N.<value_name>.<member of members> */
    SQS_MEMBER_ENTRY_LIST,    /* JSON array of structures; query Name.N.<member of members> */
    SQS_MEMBER_ATTRIBUTE_ALIAS /* query only: Name=v sets <json_name>.<key_name>=v unless that
                                * map already holds key_name (CreateQueue DefaultVisibilityTimeout) */
} sqs_member_kind;

/* One input member. Tables are terminated by an entry whose json_name is NULL. */
typedef struct sqs_member {
    const char *json_name;
    const char *query_name;            /* flattened base name */
    sqs_member_kind kind;
    const char *key_name;              /* maps: key sub-name; alias: attribute name */
    const char *value_name;            /* maps: value sub-name */
    const struct sqs_member *members;  /* struct maps / entry lists: the structure's members */
} sqs_member;

/* The input members of action, or NULL when the action is unknown. */
const sqs_member *sqs_shapes_input(const char *action);

/* True when name is one of the 23 SQS action names (case-sensitive). */
bool sqs_action_known(const char *action);

/* Checks that every member of a JSON-protocol input object that the action's model knows has
 * the model's type (string, integer = number without fraction, boolean, list of strings,
 * map of strings, message-attribute map, list of entry structures). Unknown members are
 * ignored. On a mismatch fills err with SQS_ERR_SERIALIZATION and returns false. */
bool sqs_shapes_check_json(const char *action, const cJSON *input, sqs_error *err);

#endif
