/* lambda/code: function code on disk: unpacking uploaded zip archives safely into a
 * directory, their digest as Lambda reports it, and removing code directories. */
#ifndef SQSEMU_LAMBDA_CODE_H
#define SQSEMU_LAMBDA_CODE_H

#include <stdbool.h>
#include <stddef.h>

#define CODE_SHA256_B64_LEN 45 /* 44 base64 characters + NUL */

/* Unpacks the zip archive zip[0..len) into dest_dir (created, must not exist or be empty).
 * Entries are confined to dest_dir: absolute paths, ".." components and symbolic links that
 * would escape are rejected, and so are archives that are not valid zips. Unix permission
 * bits stored in the archive are kept (so an executable `bootstrap` stays executable);
 * entries without them get 0644 (files) / 0755 (directories). On failure nothing is left
 * in dest_dir and error (if not NULL) describes the problem. */
bool code_unpack_zip(const void *zip, size_t len, const char *dest_dir, char *error, size_t error_size);

/* CodeSha256 as Lambda reports it: base64 of the SHA-256 of the zip bytes. */
void code_sha256_base64(const void *data, size_t len, char out[CODE_SHA256_B64_LEN]);

/* Recursively removes dir (like rm -rf; does not follow symbolic links). True if it is gone. */
bool code_remove_dir(const char *dir);

#endif
