/* console: the browser page under /_sqsemu/console (console/ of the source tree, compiled
 * into the binary by scripts/embed_runtimes.py), served by the admin front. */
#ifndef SQSEMU_CONSOLE_H
#define SQSEMU_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/http.h"

/* The embedded files, generated at build time. */
typedef struct console_file {
    const char *path; /* relative to console/, e.g. "app.js" */
    const unsigned char *data;
    size_t size;
} console_file;

extern const console_file console_files[];
extern const size_t console_file_count;
extern const char console_files_hash[];

/* True for /_sqsemu/console and every path below it. */
bool console_path(const char *path);
/* Answers a console path: index.html for a page, the file for /_sqsemu/console/assets/<name>. */
void console_serve(http_request *r);

#endif
