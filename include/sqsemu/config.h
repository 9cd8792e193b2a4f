/* config: the server's configuration: command-line flags, each of which may also come
 * from an environment variable SQSEMU_<FLAG NAME> (a flag on the command line wins). */
#ifndef SQSEMU_CONFIG_H
#define SQSEMU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqsemu/log.h"

#define CONFIG_MAX_AUTH_KEYS 64

typedef struct config {
    char host[256];
    int port;
    char data_dir[4096];
    bool in_memory;
    char region[64];
    char account_id[16];
    log_level log_level;
    log_format log_format;
    size_t max_body_bytes;
    size_t max_body_memory_mb; /* all request bodies being received, together */
    int max_connections;
    int max_connections_per_ip;
    int request_timeout_s;     /* a request's headers and body must arrive within this */
    int idle_timeout_s;        /* a kept-alive connection may idle this long */
    char runtimes_dir[4096];   /* "" = the copies embedded in the binary */
    int lambda_idle_timeout_s;
    int lambda_concurrency;
    bool strict;               /* AWS's 60-second PurgeQueue and re-creation rules */
    int64_t clock_offset_ms;   /* the emulated clock starts this far off the machine's */
    bool clock_frozen;         /* ... and stands still until moved */
    /* SigV4 verification is on when either is given */
    char auth_file[4096];                        /* --auth FILE, "" = none */
    const char *auth_keys[CONFIG_MAX_AUTH_KEYS]; /* --auth-key KEY:SECRET[:ACCOUNT] (argv or
                                                    SQSEMU_AUTH_KEY strings, kept by config.c) */
    int auth_key_count;
    /* Where those came from ("--auth" or "SQSEMU_AUTH", ...), to name it in errors. */
    const char *auth_file_origin;
    const char *auth_key_origin;
} config;

typedef enum config_result { CONFIG_OK, CONFIG_EXIT_OK, CONFIG_EXIT_ERROR } config_result;

void config_defaults(config *cfg);
/* Reads argv, then the SQSEMU_* variables of the flags argv did not give. Prints
 * --help/--version output or an error itself; the result says whether to go on, or to
 * exit successfully or with an error (status 2). */
config_result config_parse(config *cfg, int argc, char **argv);

#endif
