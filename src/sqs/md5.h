/* sqs/md5: the MD5 digests SQS returns: of a body, and of a message-attribute map. */
#ifndef SQSEMU_SQS_MD5_H
#define SQSEMU_SQS_MD5_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/codec.h"

/* Digest of an attribute map (name -> {DataType, StringValue | BinaryValue(base64)}) by the
 * SQS algorithm: names sorted by bytes, each as len+name, len+type, transport byte, len+value.
 * Returns false (and leaves out empty) when the map is empty or a binary value is not base64. */
bool md5_of_attributes(const cJSON *attributes, char out[MD5_HEX_LEN]);

#endif
