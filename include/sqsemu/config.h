/* config: the server's configuration: command-line flags, each of which may also come
 * from an environment variable SQSEMU_<FLAG NAME> (a flag on the command line wins). */
#ifndef SQSEMU_CONFIG_H
#define SQSEMU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqsemu/log.h"

#define CONFIG_MAX_AUTH_KEYS 64
#define CONFIG_MAX_TEMPLATES 16
#define CONFIG_MAX_PARAMETERS 64

/* --template FILE with the --stack-name and --parameter options that follow it. */
typedef struct config_template {
    const char *path;
    const char *stack_name; /* NULL: the file's base name without its extension */
    const char *parameters[CONFIG_MAX_PARAMETERS]; /* "Key=Value" */
    int parameter_count;
} config_template;

typedef struct config {
    char host[256];
    int port;
    char data_dir[4096];
    bool in_memory;
    bool durability_full;      /* --durability full: fsync at every commit */
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
    /* CloudFormation templates applied at start-up (--template, --parameter, --stack-name);
     * strings point into argv or into config.c's copies of the SQSEMU_* variables. */
    config_template templates[CONFIG_MAX_TEMPLATES];
    int template_count;
    const char *all_parameters[CONFIG_MAX_PARAMETERS]; /* --parameter before any --template */
    int all_parameter_count;
    bool iac_ignore_unsupported; /* --iac-ignore-unsupported */
} config;

typedef enum config_result { CONFIG_OK, CONFIG_EXIT_OK, CONFIG_EXIT_ERROR } config_result;

void config_defaults(config *cfg);
/* Reads argv, then the SQSEMU_* variables of the flags argv did not give. Prints
 * --help/--version output or an error itself; the result says whether to go on, or to
 * exit successfully or with an error (status 2). */
config_result config_parse(config *cfg, int argc, char **argv);

#endif
