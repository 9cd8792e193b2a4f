/* main: start-up (configuration, clock, data directory, runtime clients, store, services,
 * HTTP), the event loop, and an orderly shutdown on SIGINT/SIGTERM. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqsemu/auth.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/config.h"
#include "sqsemu/fronts.h"
#include "sqsemu/http.h"
#include "sqsemu/cfn.h"
#include "sqsemu/lambda.h"
#include "sqsemu/log.h"
#include "sqsemu/logs.h"
#include "sqsemu/loop.h"
#include "sqsemu/runtimes.h"
#include "sqsemu/sqs.h"
#include "sqsemu/store.h"

/* Creates and locks the data directory, and makes cfg->data_dir absolute: a relative
 * --data-dir is taken from the caller's directory once, whatever changes directory later.
 * Returns the database path (malloc'd), or NULL with --in-memory or on an error. */
static char *database_path(config *cfg, bool *failed)
{
    *failed = false;
    if (cfg->in_memory)
        return NULL;
    char *db_path = store_prepare_data_dir(cfg->data_dir);
    char resolved[PATH_MAX];
    if (db_path && realpath(cfg->data_dir, resolved) && strlen(resolved) < sizeof cfg->data_dir) {
        memcpy(cfg->data_dir, resolved, strlen(resolved) + 1);
        free(db_path);
        buf_t b;
        buf_init(&b);
        buf_printf(&b, "%s/sqsemu.db", cfg->data_dir);
        return buf_detach(&b, NULL);
    }
    if (db_path)
        log_error("cannot resolve the data directory %s: %s", cfg->data_dir, strerror(errno));
    free(db_path);
    *failed = true;
    return NULL;
}

/* --runtimes-dir made absolute (handlers start in their code directory), or the clients
 * embedded in the binary written out. */
static bool prepare_runtimes(config *cfg)
{
    if (!cfg->runtimes_dir[0])
        return runtimes_extract(cfg->in_memory ? NULL : cfg->data_dir, cfg->runtimes_dir, sizeof cfg->runtimes_dir);
    char resolved[PATH_MAX];
    struct stat st;
    if (!realpath(cfg->runtimes_dir, resolved) || stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
        log_error("--runtimes-dir %s is not a directory", cfg->runtimes_dir);
        return false;
    }
    snprintf(cfg->runtimes_dir, sizeof cfg->runtimes_dir, "%s", resolved);
    return true;
}

static void apply_clock(const config *cfg)
{
    if (cfg->clock_offset_ms)
        clock_advance(cfg->clock_offset_ms);
    if (cfg->clock_frozen)
        clock_freeze(true);
}

/* "restored 3 queues, 2 functions, 1 enabled event-source mapping (of 2)" */
static void log_restored(void)
{
    size_t queues = sqs_queue_count(), functions, mappings, enabled;
    lambda_service_counts(&functions, &mappings, &enabled);
    log_info("restored %zu queue%s, %zu function%s, %zu enabled event-source mapping%s (of %zu)", queues,
             queues == 1 ? "" : "s", functions, functions == 1 ? "" : "s", enabled, enabled == 1 ? "" : "s",
             mappings);
}

/* Run by the loop once it serves requests; the line container wait strategies look for. */
static void log_ready(void *arg)
{
    (void)arg;
    log_info("Ready.");
}

static bool start_lambda(const config *cfg)
{
    static char endpoint[512]; /* the service keeps pointers to its settings' strings */
    snprintf(endpoint, sizeof endpoint, "http://%s:%d", strcmp(cfg->host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->host,
             http_server_port());
    lambda_settings lambda = {
        .data_dir = cfg->in_memory ? NULL : cfg->data_dir,
        .runtimes_dir = cfg->runtimes_dir,
        .endpoint_url = endpoint,
        .idle_timeout_s = cfg->lambda_idle_timeout_s,
        .default_concurrency = cfg->lambda_concurrency,
    };
    return lambda_service_start(&lambda);
}

/* CloudFormation: the stored stacks, then the --template files, applied through the
 * running SQS and Lambda services with the server's own endpoint as the queue URL base. */
static bool start_cloudformation(const config *cfg)
{
    static char url_base[512];
    snprintf(url_base, sizeof url_base, "http://%s:%d", strcmp(cfg->host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->host,
             http_server_port());
    cfn_settings cfn = {.ignore_unsupported = cfg->iac_ignore_unsupported};
    return cfn_service_start(&cfn) && cfn_apply_config(cfg, url_base);
}

int main(int argc, char **argv)
{
    config cfg;
    config_defaults(&cfg);
    switch (config_parse(&cfg, argc, argv)) {
    case CONFIG_OK: break;
    case CONFIG_EXIT_OK: return 0;
    case CONFIG_EXIT_ERROR: return 2;
    }
    log_set_level(cfg.log_level);
    log_buffer_lines();
    log_set_format(cfg.log_format);
    apply_clock(&cfg);
    /* The key table, and a warning when the port is open beyond loopback. */
    if (!auth_init(&cfg))
        return 2;
    auth_warn_if_exposed(&cfg);
    bool failed;
    char *db_path = database_path(&cfg, &failed);
    if (failed) {
        auth_shutdown();
        return 1;
    }
    int status = 1;
    sqs_settings settings = {.strict = cfg.strict};
    if (!loop_init() || !prepare_runtimes(&cfg) || !store_open(db_path))
        goto out;
    if (db_path && cfg.durability_full && !store_set_durability_full())
        goto out_store;
    if (!sqs_service_start(&settings))
        goto out_store;
    /* The services of the port, in the order they are tried (SQS takes the rest). */
    static const http_front *const fronts[] = {&lambda_front, &admin_front, &logs_front, &cfn_front, &sqs_front};
    if (!http_server_start(&cfg, fronts, sizeof fronts / sizeof fronts[0]))
        goto out_service;
    if (!start_lambda(&cfg)) {
        lambda_service_stop();
        http_server_stop();
        goto out_service;
    }
    /* CloudFormation after Lambda, whose functions stacks create. */
    if (!start_cloudformation(&cfg)) { /* --template files are applied here, before "Ready." */
        cfn_service_stop();
        lambda_service_stop();
        http_server_stop();
        goto out_service;
    }
    log_info("sqsemu %s listening on http://%s:%d (region %s, account %s), data %s%s%s", SQSEMU_VERSION, cfg.host,
             http_server_port(), cfg.region, cfg.account_id, db_path ? "in " : "in memory", db_path ? db_path : "",
             !db_path ? "" : cfg.durability_full ? " (durability full)" : " (durability normal)");
    log_restored();
    loop_defer(log_ready, NULL);
    loop_run();
    cfn_service_stop();
    lambda_service_stop();
    http_server_stop();
    status = 0;
    log_info("stopped");
out_service:
    logs_service_stop(); /* what handlers printed last is written before the store closes */
    sqs_service_stop();
out_store:
    store_close();
out:
    loop_free();
    runtimes_remove();
    store_release_data_dir();
    auth_shutdown();
    free(db_path);
    return status;
}
