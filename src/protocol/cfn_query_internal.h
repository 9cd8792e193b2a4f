/* cfn_query_internal: the member table the CloudFormation query codec decodes with
 * (cfn_query_shapes.c), shared by the codec's files only. */
#ifndef SQSEMU_CFN_QUERY_INTERNAL_H
#define SQSEMU_CFN_QUERY_INTERNAL_H

#include <stdbool.h>

typedef enum cfn_member_kind {
    CFN_MEMBER_STRING,
    CFN_MEMBER_INTEGER,
    CFN_MEMBER_BOOLEAN,
    CFN_MEMBER_STRING_LIST, /* Name.member.N */
    CFN_MEMBER_STRUCT_LIST, /* Name.member.N.Field */
    CFN_MEMBER_STRUCT,      /* Name.Field */
} cfn_member_kind;

typedef struct cfn_member {
    const char *name;
    cfn_member_kind kind;
    const struct cfn_member *members; /* STRUCT and STRUCT_LIST: the fields, ending with {NULL} */
    const char *key;                  /* STRUCT_LIST: the field no two elements may share, or NULL */
} cfn_member;

/* The request members of every emulated action (botocore's cloudformation 2010-05-15
 * model: one name has one type across the API), ending with {NULL}. */
extern const cfn_member cfn_query_members[];

bool cfn_query_is_timestamp(const char *member);

#endif
