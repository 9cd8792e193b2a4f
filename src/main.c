/* main: flags, start-up (data directory, store, service, HTTP), the event loop, and an
 * orderly shutdown on SIGINT/SIGTERM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqsemu/auth.h"
#include "sqsemu/buf.h"
#include "sqsemu/config.h"
#include "sqsemu/fronts.h"
#include "sqsemu/http.h"
#include "sqsemu/lambda.h"
#include "sqsemu/log.h"
#include "sqsemu/logs.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"
#include "sqsemu/store.h"

static char *database_path(const config *cfg)
{
    return cfg->in_memory ? NULL : store_prepare_data_dir(cfg->data_dir);
}

/* runtimes/ next to the directory of the binary (build/sqsemu -> runtimes/), else the
 * installed share/sqsemu/runtimes. */
static void default_runtimes_dir(config *cfg)
{
    if (cfg->runtimes_dir[0])
        return;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *candidates[] = {"%s/../runtimes", "%s/../share/sqsemu/runtimes"};
    for (int i = 0; i < 2; i++) {
        char path[4096 + 64];
        snprintf(path, sizeof path, candidates[i], exe);
        char resolved[4096];
        if (realpath(path, resolved)) {
            snprintf(cfg->runtimes_dir, sizeof cfg->runtimes_dir, "%s", resolved);
            return;
        }
    }
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
    /* The key table, and a warning when the port is open beyond loopback. */
    if (!auth_init(&cfg))
        return 2;
    auth_warn_if_exposed(&cfg);
    char *db_path = database_path(&cfg);
    if (!cfg.in_memory && !db_path)
        return 1;
    int status = 1;
    sqs_settings settings = {.strict = cfg.strict};
    if (!loop_init() || !store_open(db_path))
        goto out;
    if (!sqs_service_start(&settings))
        goto out_store;
    /* The services of the port, in the order they are tried (SQS takes the rest). */
    static const http_front *const fronts[] = {&lambda_front, &admin_front, &logs_front, &sqs_front};
    if (!http_server_start(&cfg, fronts, sizeof fronts / sizeof fronts[0]))
        goto out_service;
    default_runtimes_dir(&cfg);
    char endpoint[512];
    snprintf(endpoint, sizeof endpoint, "http://%s:%d", strcmp(cfg.host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg.host,
             http_server_port());
    lambda_settings lambda = {
        .data_dir = cfg.in_memory ? NULL : cfg.data_dir,
        .runtimes_dir = cfg.runtimes_dir,
        .endpoint_url = endpoint,
        .idle_timeout_s = cfg.lambda_idle_timeout_s,
        .default_concurrency = cfg.lambda_concurrency,
    };
    if (!lambda_service_start(&lambda)) {
        lambda_service_stop();
        http_server_stop();
        goto out_service;
    }
    log_info("sqsemu %s listening on http://%s:%d (region %s, account %s), data %s%s", SQSEMU_VERSION, cfg.host,
             http_server_port(), cfg.region, cfg.account_id, db_path ? "in " : "in memory", db_path ? db_path : "");
    loop_run();
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
    store_release_data_dir();
    auth_shutdown();
    free(db_path);
    return status;
}
