/* config: command-line flags, their defaults, --help and --version. */
#include "sqsemu/config.h"
#include "sqsemu/names.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_defaults(config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->host, sizeof cfg->host, "127.0.0.1");
    cfg->port = 9324;
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "./.sqsemu");
    snprintf(cfg->region, sizeof cfg->region, "us-east-1");
    snprintf(cfg->account_id, sizeof cfg->account_id, "000000000000");
    cfg->log_level = LOG_INFO;
    cfg->max_body_bytes = 8u * 1024 * 1024;
    cfg->max_body_memory_mb = 256;
    cfg->max_connections = 4096;
    cfg->max_connections_per_ip = 2048;
    cfg->request_timeout_s = 30;
    cfg->idle_timeout_s = 300;
    cfg->lambda_idle_timeout_s = 600;
    cfg->lambda_concurrency = 5;
}

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sqsemu [options]\n"
            "A local emulator of Amazon SQS (AWS JSON 1.0 and query protocols).\n"
            "\n"
            "Options:\n"
            "  --host ADDR         address to listen on (default 127.0.0.1)\n"
            "  --port N            TCP port (default 9324)\n"
            "  --data-dir DIR      directory of the SQLite store, created if missing (default ./.sqsemu)\n"
            "  --in-memory         keep everything in memory; nothing is written to disk\n"
            "  --region NAME       region used when a request is not signed (default us-east-1)\n"
            "  --account-id ID     12-digit account id of queue URLs and ARNs (default 000000000000)\n"
            "  --log-level LEVEL   debug, info, warn or error (default info)\n"
            "  --runtimes-dir DIR  the runtime clients for python and node handlers\n"
            "                      (default: runtimes/ next to the binary's directory)\n"
            "  --lambda-idle-timeout S  stop execution environments idle for S seconds (default 600)\n"
            "  --lambda-concurrency N   concurrent batches per event-source mapping without\n"
            "                      ScalingConfig.MaximumConcurrency (default 5)\n"
            "  --strict            enforce AWS's 60-second rules: one PurgeQueue per queue per 60 s\n"
            "                      and no re-creation of a deleted queue name for 60 s\n"
            "  --max-connections N client connections at once (default 4096)\n"
            "  --max-connections-per-ip N  connections from one client address (default 2048)\n"
            "  --max-body-memory MB  memory all request bodies being received may take together\n"
            "                      (default 256); beyond it requests get 503 and Retry-After\n"
            "  --request-timeout S a request's headers and body must arrive within S seconds of\n"
            "                      its start, however the client trickles them (default 30)\n"
            "  --idle-timeout S    close kept-alive connections idle for S seconds (default 300)\n"
            "  --auth FILE         verify SigV4 signatures against the keys in FILE, one\n"
            "                      'KEY SECRET [ACCOUNT]' a line ('#' starts a comment line)\n"
            "  --auth-key KEY:SECRET[:ACCOUNT]  accept this key (repeatable; also turns\n"
            "                      verification on). Without --auth/--auth-key nothing is verified\n"
            "  --help              show this help and exit\n"
            "  --version           show the version and exit\n");
}

static bool parse_int(const char *s, long min, long max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_port(const char *s, int *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
        return false;
    *port = (int)v;
    return true;
}

static bool copy_arg(char *dst, size_t size, const char *src)
{
    if (strlen(src) >= size || src[0] == '\0')
        return false;
    memcpy(dst, src, strlen(src) + 1);
    return true;
}

config_result config_parse(config *cfg, int argc, char **argv)
{
    enum {
        OPT_HOST = 256, OPT_PORT, OPT_DATA_DIR, OPT_IN_MEMORY, OPT_REGION, OPT_ACCOUNT, OPT_LOG_LEVEL, OPT_HELP,
        OPT_VERSION, OPT_RUNTIMES_DIR, OPT_IDLE, OPT_CONCURRENCY, OPT_STRICT, OPT_MAX_CONNECTIONS, OPT_MAX_PER_IP,
        OPT_BODY_MEMORY, OPT_REQUEST_TIMEOUT, OPT_HTTP_IDLE, OPT_AUTH, OPT_AUTH_KEY
    };
    static const struct option options[] = {
        {"host", required_argument, NULL, OPT_HOST},
        {"port", required_argument, NULL, OPT_PORT},
        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
        {"in-memory", no_argument, NULL, OPT_IN_MEMORY},
        {"region", required_argument, NULL, OPT_REGION},
        {"account-id", required_argument, NULL, OPT_ACCOUNT},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"runtimes-dir", required_argument, NULL, OPT_RUNTIMES_DIR},
        {"lambda-idle-timeout", required_argument, NULL, OPT_IDLE},
        {"lambda-concurrency", required_argument, NULL, OPT_CONCURRENCY},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"max-connections-per-ip", required_argument, NULL, OPT_MAX_PER_IP},
        {"max-body-memory", required_argument, NULL, OPT_BODY_MEMORY},
        {"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
        {"idle-timeout", required_argument, NULL, OPT_HTTP_IDLE},
        {"auth", required_argument, NULL, OPT_AUTH},
        {"auth-key", required_argument, NULL, OPT_AUTH_KEY},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int opt;
    int index = -1;
    while ((opt = getopt_long(argc, argv, "h", options, &index)) != -1) {
        bool ok = true;
        switch (opt) {
        case OPT_HOST: ok = copy_arg(cfg->host, sizeof cfg->host, optarg); break;
        case OPT_PORT: ok = parse_port(optarg, &cfg->port); break;
        case OPT_DATA_DIR: ok = copy_arg(cfg->data_dir, sizeof cfg->data_dir, optarg); break;
        case OPT_IN_MEMORY: cfg->in_memory = true; break;
        case OPT_STRICT: cfg->strict = true; break;
        case OPT_REGION: ok = name_is_region(optarg) && copy_arg(cfg->region, sizeof cfg->region, optarg); break;
        case OPT_ACCOUNT: ok = name_is_account_id(optarg) && copy_arg(cfg->account_id, sizeof cfg->account_id, optarg); break;
        case OPT_LOG_LEVEL: ok = log_parse_level(optarg, &cfg->log_level); break;
        case OPT_RUNTIMES_DIR: ok = copy_arg(cfg->runtimes_dir, sizeof cfg->runtimes_dir, optarg); break;
        case OPT_IDLE: ok = parse_int(optarg, 1, 86400, &cfg->lambda_idle_timeout_s); break;
        case OPT_CONCURRENCY: ok = parse_int(optarg, 1, 1000, &cfg->lambda_concurrency); break;
        case OPT_MAX_CONNECTIONS: ok = parse_int(optarg, 1, 1000000, &cfg->max_connections); break;
        case OPT_MAX_PER_IP: ok = parse_int(optarg, 1, 1000000, &cfg->max_connections_per_ip); break;
        case OPT_BODY_MEMORY: {
            int mb = 0;
            ok = parse_int(optarg, 16, 65536, &mb);
            cfg->max_body_memory_mb = (size_t)mb;
            break;
        }
        case OPT_REQUEST_TIMEOUT: ok = parse_int(optarg, 1, 3600, &cfg->request_timeout_s); break;
        case OPT_HTTP_IDLE: ok = parse_int(optarg, 1, 86400, &cfg->idle_timeout_s); break;
        case OPT_AUTH: ok = copy_arg(cfg->auth_file, sizeof cfg->auth_file, optarg); break;
        case OPT_AUTH_KEY:
            /* Checked by auth_init; never echoed, it holds a secret. */
            if (cfg->auth_key_count == CONFIG_MAX_AUTH_KEYS || !*optarg) {
                fprintf(stderr, "sqsemu: --auth-key given too often or empty (at most %d)\n", CONFIG_MAX_AUTH_KEYS);
                return CONFIG_EXIT_ERROR;
            }
            cfg->auth_keys[cfg->auth_key_count++] = optarg;
            break;
        case 'h':
        case OPT_HELP: print_help(stdout); return CONFIG_EXIT_OK;
        case OPT_VERSION: printf("sqsemu %s\n", SQSEMU_VERSION); return CONFIG_EXIT_OK;
        default: print_help(stderr); return CONFIG_EXIT_ERROR;
        }
        if (!ok) {
            fprintf(stderr, "sqsemu: invalid value '%s' for --%s\n", optarg, index >= 0 ? options[index].name : "?");
            return CONFIG_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sqsemu: unexpected argument '%s'\n", argv[optind]);
        print_help(stderr);
        return CONFIG_EXIT_ERROR;
    }
    return CONFIG_OK;
}
