/* runtimes: the python and node Runtime API clients (runtimes/ of the source tree)
 * compiled into the binary, and the private directory they are written to at start so
 * that `python3 <dir>/python/bootstrap.py` and `node <dir>/node/bootstrap.mjs` can run. */
#ifndef SQSEMU_RUNTIMES_H
#define SQSEMU_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>

/* The embedded files, generated at build time by scripts/embed_runtimes.py. */
typedef struct runtime_file {
    const char *path; /* relative to the runtimes directory, e.g. "python/bootstrap.py" */
    const unsigned char *data;
    size_t size;
} runtime_file;

extern const runtime_file runtime_files[];
extern const size_t runtime_file_count;
extern const char runtime_files_hash[]; /* SHA-256 (hex) of every path and content */

/* Writes the embedded files into <data_dir>/runtimes/<hash>/ (data_dir NULL: a new
 * temporary directory, removed by runtimes_remove), directories 0700 and files 0600,
 * rewriting only files whose content differs. Puts the directory's absolute path into
 * out. False (logged) when it cannot. */
bool runtimes_extract(const char *data_dir, char *out, size_t out_size);
/* Removes the temporary directory runtimes_extract made, if it made one. */
void runtimes_remove(void);

#endif
