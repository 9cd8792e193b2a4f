/* fronts/admin_front: sqsemu's own routes under /_sqsemu/ (JSON answers): the health check
 * that container and test harnesses poll, with the counts tests wait on instead of
 * sleeping (the long polls and invocations parked right now). Routes other than the health
 * check are signed like the SQS API when --auth is on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sqsemu/fronts.h"
#include "sqsemu/waiters.h"

#define ADMIN_PREFIX "/_sqsemu/"
#define HEALTH_PATH "/_sqsemu/health"

static bool match(const http_request *r)
{
    return strncmp(http_path(r), ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0;
}

static size_t body_limit(const http_request *r)
{
    (void)r;
    return 1024 * 1024;
}

static bool is_health(const http_request *r)
{
    return strcmp(http_method(r), "GET") == 0 && strcmp(http_path(r), HEALTH_PATH) == 0;
}

static const char *signing_service(const http_request *r, int *max_skew_s)
{
    *max_skew_s = 900;
    return is_health(r) ? NULL : "sqsemu";
}

static void respond_json(http_request *r, int status, cJSON *doc)
{
    char *body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    http_respond(r, status, "application/json", body, strlen(body));
}

static void respond_error(http_request *r, int status, const char *code, const char *message)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "error", code);
    cJSON_AddStringToObject(doc, "message", message);
    respond_json(r, status, doc);
}

static void health(http_request *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", "running");
    cJSON_AddStringToObject(doc, "version", SQSEMU_VERSION);
    cJSON *services = cJSON_AddObjectToObject(doc, "services");
    cJSON_AddStringToObject(services, "sqs", "running");
    cJSON_AddStringToObject(services, "lambda", "running");
    cJSON_AddNumberToObject(doc, "parked_requests", (double)http_parked_count());
    cJSON_AddNumberToObject(doc, "waiting_receives", (double)waiters_count());
    respond_json(r, 200, doc);
}

static void handle(http_request *r)
{
    if (is_health(r))
        health(r);
    else
        respond_error(r, 404, "NotFound", "No such sqsemu route (GET /_sqsemu/health is one).");
}

static void refuse(http_request *r, const http_refusal *why)
{
    char message[512];
    snprintf(message, sizeof message, "%s", why->kind == HTTP_REFUSE_TOO_LARGE ? "The request body is too large."
                                            : why->kind == HTTP_REFUSE_BUSY   ? "The server is busy; retry later."
                                            : why->message                    ? why->message
                                                                              : "The request is not signed.");
    respond_error(r, why->kind == HTTP_REFUSE_TOO_LARGE ? 413 : why->kind == HTTP_REFUSE_BUSY ? 503 : 403,
                  why->kind == HTTP_REFUSE_TOO_LARGE ? "RequestTooLarge"
                  : why->kind == HTTP_REFUSE_BUSY    ? "ServiceUnavailable"
                                                     : "AccessDenied",
                  message);
}

const http_front admin_front = {
    .name = "admin",
    .match = match,
    .body_limit = body_limit,
    .signing_service = signing_service,
    .handle = handle,
    .refuse = refuse,
};
