/* names: the forms of AWS identifiers that several modules check: account ids and region
 * names. */
#ifndef SQSEMU_NAMES_H
#define SQSEMU_NAMES_H

#include <stdbool.h>

/* Exactly 12 decimal digits. */
bool name_is_account_id(const char *s);

/* A region name of AWS's form (us-east-1, us-gov-west-1, cn-north-1, eu-isoe-west-1, ...):
 * the union of the partitions' region patterns, [a-z]{2,4}(-[a-z]+)?-[a-z]+-[0-9]+,
 * shorter than 64 bytes. */
bool name_is_region(const char *s);

#endif
