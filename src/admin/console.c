/* admin/console: serves the console page. Every path under /_sqsemu/console that is not an
 * asset answers index.html (the page routes on location.pathname, so a deep link works on
 * reload); /_sqsemu/console/assets/<file> answers an embedded file of console/ with its
 * content type. GET and HEAD only. Every answer carries a Content-Security-Policy of
 * default-src 'self' (no inline script, nothing from another origin) and Cache-Control
 * no-cache, so a rebuilt binary's page is picked up at once. */
#include <stdlib.h>
#include <string.h>

#include "sqsemu/console.h"

#define CONSOLE_ROOT "/_sqsemu/console"
#define ASSETS_PREFIX CONSOLE_ROOT "/assets/"
#define MAX_PATH 1024

bool console_path(const char *path)
{
    size_t n = strlen(CONSOLE_ROOT);
    return strncmp(path, CONSOLE_ROOT, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static const console_file *find_file(const char *name)
{
    for (size_t i = 0; i < console_file_count; i++) {
        if (strcmp(console_files[i].path, name) == 0)
            return &console_files[i];
    }
    return NULL;
}

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    return "application/octet-stream";
}

static void common_headers(http_request *r)
{
    http_add_header(r, "Content-Security-Policy", "default-src 'self'; base-uri 'none'; frame-ancestors 'none'");
    http_add_header(r, "Cache-Control", "no-cache");
    http_add_header(r, "X-Content-Type-Options", "nosniff");
}

static void respond_text(http_request *r, int status, const char *text)
{
    size_t len = strlen(text);
    char *body = malloc(len + 1);
    memcpy(body, text, len + 1);
    common_headers(r);
    http_respond(r, status, "text/plain; charset=utf-8", body, len);
}

static void respond_file(http_request *r, const console_file *f)
{
    char *body = malloc(f->size ? f->size : 1);
    memcpy(body, f->data, f->size);
    common_headers(r);
    http_respond(r, 200, content_type(f->path), body, f->size);
}

void console_serve(http_request *r)
{
    const char *path = http_path(r);
    http_describe(r, "Console", NULL);
    if (strcmp(http_method(r), "GET") != 0 && strcmp(http_method(r), "HEAD") != 0) {
        http_add_header(r, "Allow", "GET, HEAD");
        respond_text(r, 405, "The console takes GET and HEAD.\n");
        return;
    }
    if (strlen(path) > MAX_PATH) {
        respond_text(r, 404, "No such console page.\n");
        return;
    }
    if (strncmp(path, ASSETS_PREFIX, strlen(ASSETS_PREFIX)) == 0) {
        const char *name = path + strlen(ASSETS_PREFIX);
        const console_file *f = strcmp(name, "index.html") == 0 ? NULL : find_file(name);
        if (!f) {
            http_set_error_code(r, "NotFound");
            respond_text(r, 404, "No such console asset.\n");
            return;
        }
        respond_file(r, f);
        return;
    }
    const console_file *index = find_file("index.html");
    if (!index) {
        respond_text(r, 500, "The console was built without its index.html.\n");
        return;
    }
    respond_file(r, index);
}
