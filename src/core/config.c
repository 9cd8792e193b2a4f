/* config: the server's flags (one table: name, kind of value, where it goes, what it
 * accepts), their defaults, their SQSEMU_* environment variables, --help and --version.
 *
 * Every flag --some-name may also be given as SQSEMU_SOME_NAME. The command line is read
 * first (the last of a repeated flag wins), then the variables of the flags it did not
 * give, so a flag wins over its variable, which is then not even looked at (any
 * --auth-key replaces all of SQSEMU_AUTH_KEY). A bad value is refused with the flag's or
 * the variable's name and what it accepts, and the server exits with status 2. */
#include "sqsemu/config.h"
#include "sqsemu/names.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENV_PREFIX "SQSEMU_"
#define MAX_CLOCK_OFFSET_MS 315576000000LL /* ten years of 365.25 days */
#define SHOWN_VALUE_BYTES 200              /* of a bad value echoed in an error */

typedef enum value_kind { V_SWITCH, V_TEXT, V_INT, V_SPECIAL } value_kind;

typedef struct flag_spec {
    const char *name;
    value_kind kind;
    size_t offset; /* of the member it sets */
    size_t size;   /* V_TEXT: of that member */
    long min, max; /* V_INT */
    bool (*parse)(config *cfg, const char *value); /* V_SPECIAL */
    const char *expected; /* what a valid value is, for errors ("" for V_INT: from min/max) */
} flag_spec;

static bool set_region(config *cfg, const char *v);
static bool set_account(config *cfg, const char *v);
static bool set_log_level(config *cfg, const char *v);
static bool set_log_format(config *cfg, const char *v);
static bool set_body_memory(config *cfg, const char *v);
static bool set_clock_offset(config *cfg, const char *v);
static bool set_durability(config *cfg, const char *v);

#define MEMBER(m) offsetof(config, m)
#define TEXT(n, m) {n, V_TEXT, MEMBER(m), sizeof ((config *)0)->m, 0, 0, NULL, "a non-empty value"}
#define INT(n, m, lo, hi) {n, V_INT, MEMBER(m), 0, lo, hi, NULL, ""}
#define SWITCH(n, m) {n, V_SWITCH, MEMBER(m), 0, 0, 0, NULL, "1, true, yes, 0, false or no"}
#define SPECIAL(n, fn, what) {n, V_SPECIAL, 0, 0, 0, 0, fn, what}

/* auth-key is repeatable and holds secrets: handled apart (add_auth_key). */
static const flag_spec flags[] = {
    TEXT("host", host),
    {"port", V_INT, MEMBER(port), 0, 0, 65535, NULL, "an integer from 0 to 65535 (0: any free port)"},
    TEXT("data-dir", data_dir),
    SWITCH("in-memory", in_memory),
    SPECIAL("durability", set_durability, "one of normal, full"),
    SPECIAL("region", set_region, "a region name such as us-east-1"),
    SPECIAL("account-id", set_account, "12 digits"),
    SPECIAL("log-level", set_log_level, "one of debug, info, warn, error"),
    SPECIAL("log-format", set_log_format, "one of text, json"),
    TEXT("runtimes-dir", runtimes_dir),
    INT("lambda-idle-timeout", lambda_idle_timeout_s, 1, 86400),
    INT("lambda-concurrency", lambda_concurrency, 1, 1000),
    SWITCH("strict", strict),
    INT("max-connections", max_connections, 1, 1000000),
    INT("max-connections-per-ip", max_connections_per_ip, 1, 1000000),
    SPECIAL("max-body-memory", set_body_memory, "an integer from 16 to 65536"),
    INT("request-timeout", request_timeout_s, 1, 3600),
    INT("idle-timeout", idle_timeout_s, 1, 86400),
    TEXT("auth", auth_file),
    SPECIAL("clock-offset", set_clock_offset,
            "an integer of milliseconds from -315576000000 to 315576000000 (ten years)"),
    SWITCH("clock-frozen", clock_frozen),
    SWITCH("iac-ignore-unsupported", iac_ignore_unsupported),
};
#define FLAG_COUNT (sizeof flags / sizeof flags[0])
enum { OPT_FIRST = 256, OPT_AUTH_KEY = OPT_FIRST + (int)FLAG_COUNT, OPT_HELP, OPT_VERSION, OPT_TEMPLATE,
       OPT_PARAMETER, OPT_STACK_NAME };

static char *env_auth_keys; /* the copy of SQSEMU_AUTH_KEY the auth_keys point into */
static char *env_templates, *env_parameters; /* likewise SQSEMU_TEMPLATE and SQSEMU_PARAMETER */

void config_defaults(config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->host, sizeof cfg->host, "127.0.0.1");
    cfg->port = 9324;
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "./.sqsemu");
    snprintf(cfg->region, sizeof cfg->region, "us-east-1");
    snprintf(cfg->account_id, sizeof cfg->account_id, "000000000000");
    cfg->log_level = LOG_INFO;
    cfg->log_format = LOG_FORMAT_TEXT;
    cfg->max_body_bytes = 8u * 1024 * 1024;
    cfg->max_body_memory_mb = 256;
    cfg->max_connections = 4096;
    cfg->max_connections_per_ip = 2048;
    cfg->request_timeout_s = 30;
    cfg->idle_timeout_s = 300;
    cfg->lambda_idle_timeout_s = 600;
    cfg->lambda_concurrency = 5;
    cfg->auth_file_origin = "--auth";
    cfg->auth_key_origin = "--auth-key";
}

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sqsemu [options]\n"
            "A local emulator of Amazon SQS (AWS JSON 1.0 and query protocols) and of AWS Lambda:\n"
            "functions run as local python, node or custom-runtime (bootstrap) processes, invoked\n"
            "directly or fed by SQS event-source mappings. One port serves the SQS API, the Lambda\n"
            "API, the CloudWatch Logs read side of function logs, and sqsemu's own routes under\n"
            "/_sqsemu/ (see README).\n"
            "\n"
            "Options:\n"
            "  --host ADDR         address to listen on (default 127.0.0.1)\n"
            "  --port N            TCP port (default 9324; 0: any free port)\n"
            "  --data-dir DIR      directory of the SQLite store, created if missing (default ./.sqsemu);\n"
            "                      a relative DIR is taken from the directory sqsemu is started in\n"
            "  --in-memory         keep everything in memory; nothing is written to disk\n"
            "  --durability MODE   normal (default): an answered change survives a crash or kill -9\n"
            "                      of sqsemu; full: it also survives a power loss or an OS crash\n"
            "                      (one fsync per group commit)\n"
            "  --region NAME       region used when a request is not signed (default us-east-1)\n"
            "  --account-id ID     12-digit account id of queue URLs and ARNs (default 000000000000)\n"
            "  --log-level LEVEL   debug, info, warn or error (default info)\n"
            "  --log-format FORMAT text (default) or json: one JSON object a line with time, level, msg\n"
            "  --runtimes-dir DIR  run python and node handlers with the runtime clients in DIR instead\n"
            "                      of the ones built into sqsemu (written to <data-dir>/runtimes/, or\n"
            "                      to a temporary directory with --in-memory)\n"
            "  --lambda-idle-timeout S  stop execution environments idle for S seconds (default 600)\n"
            "  --lambda-concurrency N   concurrent batches per event-source mapping without\n"
            "                      ScalingConfig.MaximumConcurrency (default 5)\n"
            "  --strict            enforce AWS's 60-second rules: one PurgeQueue per queue per 60 s\n"
            "                      and no re-creation of a deleted queue name for 60 s\n"
            "  --clock-offset MS   start the emulated clock MS milliseconds (may be negative) off the\n"
            "                      machine's: message timestamps, delays, timeouts and retention follow it\n"
            "  --clock-frozen      start with the emulated clock standing still\n"
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
            "  --template FILE     create (or, when a stack of that name exists, update) a CloudFormation\n"
            "                      stack from the JSON or YAML template FILE before serving (repeatable)\n"
            "  --stack-name NAME   the stack name of the --template before it (default: FILE's base\n"
            "                      name without its extension)\n"
            "  --parameter KEY=VALUE  a parameter of the --template before it, or of every template\n"
            "                      when given before any --template (repeatable)\n"
            "  --iac-ignore-unsupported  skip template resources of types sqsemu does not emulate\n"
            "                      (with a warning) instead of failing the stack\n"
            "  --help              show this help and exit\n"
            "  --version           show the version and exit\n"
            "\n"
            "Environment: every option but --help and --version can also be set by a variable named\n"
            "SQSEMU_ and the option's name upper-cased with '-' as '_' (--data-dir DIR:\n"
            "SQSEMU_DATA_DIR=DIR). An option on the command line wins over its variable; an empty\n"
            "variable counts as unset. Switches take 1, true or yes, or 0, false or no\n"
            "(SQSEMU_IN_MEMORY=1). SQSEMU_AUTH_KEY holds one or more comma-separated\n"
            "KEY:SECRET[:ACCOUNT]; SQSEMU_TEMPLATE one or more comma-separated files,\n"
            "SQSEMU_PARAMETER comma-separated KEY=VALUE for every template, SQSEMU_STACK_NAME the\n"
            "name of a single template's stack.\n");
}

/* ---- values ---- */

static bool parse_long(const char *s, long long min, long long max, long long *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || isspace((unsigned char)*s) || *end != '\0' || errno == ERANGE || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size || n == 0)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bool set_region(config *cfg, const char *v)
{
    return name_is_region(v) && copy_text(cfg->region, sizeof cfg->region, v);
}

static bool set_account(config *cfg, const char *v)
{
    return name_is_account_id(v) && copy_text(cfg->account_id, sizeof cfg->account_id, v);
}

static bool set_log_level(config *cfg, const char *v)
{
    return log_parse_level(v, &cfg->log_level);
}

static bool set_log_format(config *cfg, const char *v)
{
    return log_parse_format(v, &cfg->log_format);
}

static bool set_durability(config *cfg, const char *v)
{
    if (strcmp(v, "normal") == 0)
        cfg->durability_full = false;
    else if (strcmp(v, "full") == 0)
        cfg->durability_full = true;
    else
        return false;
    return true;
}

static bool set_body_memory(config *cfg, const char *v)
{
    long long mb;
    if (!parse_long(v, 16, 65536, &mb))
        return false;
    cfg->max_body_memory_mb = (size_t)mb;
    return true;
}

static bool set_clock_offset(config *cfg, const char *v)
{
    long long ms;
    if (!parse_long(v, -MAX_CLOCK_OFFSET_MS, MAX_CLOCK_OFFSET_MS, &ms))
        return false;
    cfg->clock_offset_ms = (int64_t)ms;
    return true;
}

static bool parse_switch(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes"}, *const no[] = {"0", "false", "no"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
            *out = strcasecmp(v, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

/* Sets flag f from value (a switch from the command line has value NULL). */
static bool apply(config *cfg, const flag_spec *f, const char *value)
{
    char *member = (char *)cfg + f->offset;
    switch (f->kind) {
    case V_SWITCH:
        if (!value) {
            *(bool *)member = true;
            return true;
        }
        return parse_switch(value, (bool *)member);
    case V_TEXT: return copy_text(member, f->size, value);
    case V_INT: {
        long long v;
        if (!parse_long(value, f->min, f->max, &v))
            return false;
        *(int *)member = (int)v;
        return true;
    }
    case V_SPECIAL: return f->parse(cfg, value);
    }
    return false;
}

/* What f accepts, e.g. "an integer from 1 to 3600". */
static void describe(const flag_spec *f, char *out, size_t size)
{
    if (f->kind == V_INT && !f->expected[0])
        snprintf(out, size, "an integer from %ld to %ld", f->min, f->max);
    else if (f->kind == V_TEXT)
        snprintf(out, size, "%s of at most %zu bytes", f->expected, f->size - 1);
    else
        snprintf(out, size, "%s", f->expected);
}

/* "sqsemu: invalid value 'abc' for --port: expected an integer from 0 to 65535". */
static void report_invalid(const flag_spec *f, const char *origin, const char *value)
{
    char expected[160];
    describe(f, expected, sizeof expected);
    fprintf(stderr, "sqsemu: invalid value '%.*s%s' for %s: expected %s\n", SHOWN_VALUE_BYTES, value,
            strlen(value) > SHOWN_VALUE_BYTES ? "..." : "", origin, expected);
}

/* One --auth-key (from the command line) or one item of SQSEMU_AUTH_KEY. It is checked
 * by auth_init and never echoed here: it holds a secret. */
static bool add_auth_key(config *cfg, const char *origin, const char *spec)
{
    if (cfg->auth_key_count == CONFIG_MAX_AUTH_KEYS || !*spec) {
        fprintf(stderr, "sqsemu: invalid value for %s: expected KEY:SECRET[:ACCOUNT], at most %d keys, none empty\n",
                origin, CONFIG_MAX_AUTH_KEYS);
        return false;
    }
    cfg->auth_keys[cfg->auth_key_count++] = spec;
    cfg->auth_key_origin = origin;
    return true;
}

/* --template, --parameter, --stack-name: a parameter or name belongs to the template
 * given before it; a parameter before any template belongs to every template. */
static bool add_template(config *cfg, const char *origin, const char *path)
{
    if (cfg->template_count == CONFIG_MAX_TEMPLATES || !*path) {
        fprintf(stderr, "sqsemu: invalid value for %s: expected a file, at most %d templates\n", origin,
                CONFIG_MAX_TEMPLATES);
        return false;
    }
    cfg->templates[cfg->template_count++] = (config_template){.path = path};
    return true;
}

static bool add_parameter(config *cfg, const char *origin, const char *spec)
{
    const char **list = cfg->all_parameters;
    int *count = &cfg->all_parameter_count;
    if (cfg->template_count > 0) {
        list = cfg->templates[cfg->template_count - 1].parameters;
        count = &cfg->templates[cfg->template_count - 1].parameter_count;
    }
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || *count == CONFIG_MAX_PARAMETERS) {
        fprintf(stderr, "sqsemu: invalid value '%.*s' for %s: expected KEY=VALUE, at most %d a template\n",
                SHOWN_VALUE_BYTES, spec, origin, CONFIG_MAX_PARAMETERS);
        return false;
    }
    list[(*count)++] = spec;
    return true;
}

static bool set_stack_name(config *cfg, const char *origin, const char *name)
{
    if (cfg->template_count == 0 || !*name) {
        fprintf(stderr, "sqsemu: %s must follow the --template it names, with a non-empty name\n", origin);
        return false;
    }
    cfg->templates[cfg->template_count - 1].stack_name = name;
    return true;
}

/* Splits a copy of a comma-separated variable, each item given to add. */
static bool read_env_list(config *cfg, const char *name, char **copy,
                          bool (*add)(config *cfg, const char *origin, const char *item))
{
    const char *value = getenv(name);
    if (!value || !*value)
        return true;
    free(*copy);
    if (!(*copy = strdup(value)))
        return false;
    for (char *item = *copy, *next; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        if (!add(cfg, name, item))
            return false;
    }
    return true;
}

static bool read_env_templates(config *cfg)
{
    if (cfg->template_count == 0 && !read_env_list(cfg, ENV_PREFIX "TEMPLATE", &env_templates, add_template))
        return false;
    bool any_parameter = cfg->all_parameter_count > 0;
    for (int i = 0; i < cfg->template_count; i++)
        any_parameter = any_parameter || cfg->templates[i].parameter_count > 0;
    if (!any_parameter) {
        int templates = cfg->template_count;
        cfg->template_count = 0; /* so that the variable's parameters go to every template */
        bool ok = read_env_list(cfg, ENV_PREFIX "PARAMETER", &env_parameters, add_parameter);
        cfg->template_count = templates;
        if (!ok)
            return false;
    }
    const char *name = getenv(ENV_PREFIX "STACK_NAME");
    bool named = false;
    for (int i = 0; i < cfg->template_count; i++)
        named = named || cfg->templates[i].stack_name;
    if (name && *name && !named) {
        if (cfg->template_count != 1) {
            fprintf(stderr, "sqsemu: " ENV_PREFIX "STACK_NAME names the stack of exactly one template\n");
            return false;
        }
        cfg->templates[0].stack_name = name;
    }
    return true;
}

/* ---- the environment ---- */

/* SQSEMU_ and the flag's name upper-cased with '-' as '_'. */
static void env_name(const char *flag, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s", ENV_PREFIX, flag);
    for (char *p = out + strlen(ENV_PREFIX); n > 0 && *p; p++)
        *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
}

static bool read_env_auth_keys(config *cfg)
{
    if (cfg->auth_key_count > 0) /* given on the command line */
        return true;
    const char *value = getenv(ENV_PREFIX "AUTH_KEY");
    if (!value || !*value)
        return true;
    free(env_auth_keys);
    env_auth_keys = strdup(value);
    if (!env_auth_keys)
        return false;
    for (char *item = env_auth_keys, *next; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        if (!add_auth_key(cfg, ENV_PREFIX "AUTH_KEY", item))
            return false;
    }
    return true;
}

/* The variables of the flags the command line did not give. */
static bool read_env(config *cfg, const bool *given)
{
    for (size_t i = 0; i < FLAG_COUNT; i++) {
        if (given[i])
            continue;
        char name[64];
        env_name(flags[i].name, name, sizeof name);
        const char *value = getenv(name);
        if (!value || !*value)
            continue;
        if (!apply(cfg, &flags[i], value)) {
            report_invalid(&flags[i], name, value);
            return false;
        }
        if (strcmp(flags[i].name, "auth") == 0)
            cfg->auth_file_origin = ENV_PREFIX "AUTH";
    }
    return read_env_auth_keys(cfg) && read_env_templates(cfg);
}

/* ---- the command line ---- */

static void build_options(struct option *options)
{
    for (size_t i = 0; i < FLAG_COUNT; i++)
        options[i] = (struct option){flags[i].name, flags[i].kind == V_SWITCH ? no_argument : required_argument, NULL,
                                     OPT_FIRST + (int)i};
    options[FLAG_COUNT] = (struct option){"auth-key", required_argument, NULL, OPT_AUTH_KEY};
    options[FLAG_COUNT + 1] = (struct option){"help", no_argument, NULL, OPT_HELP};
    options[FLAG_COUNT + 2] = (struct option){"version", no_argument, NULL, OPT_VERSION};
    options[FLAG_COUNT + 3] = (struct option){"template", required_argument, NULL, OPT_TEMPLATE};
    options[FLAG_COUNT + 4] = (struct option){"parameter", required_argument, NULL, OPT_PARAMETER};
    options[FLAG_COUNT + 5] = (struct option){"stack-name", required_argument, NULL, OPT_STACK_NAME};
    options[FLAG_COUNT + 6] = (struct option){NULL, 0, NULL, 0};
}

/* An option getopt could not take: unknown, ambiguous, missing its value or given one it
 * does not take. opt is '?' or ':', arg the argument getopt was looking at. */
static void report_bad_option(int opt, const char *arg)
{
    const flag_spec *f = optopt >= OPT_FIRST && optopt < OPT_FIRST + (int)FLAG_COUNT ? &flags[optopt - OPT_FIRST]
                                                                                      : NULL;
    char expected[160] = "";
    if (f)
        describe(f, expected, sizeof expected);
    if (opt == ':' && f)
        fprintf(stderr, "sqsemu: --%s needs a value: expected %s; see sqsemu --help\n", f->name, expected);
    else if (opt == ':')
        fprintf(stderr, "sqsemu: %s needs a value; see sqsemu --help\n", arg);
    else if (optopt >= OPT_FIRST)
        fprintf(stderr, "sqsemu: %.*s takes no value; see sqsemu --help\n", (int)strcspn(arg, "="), arg);
    else if (optopt > 0)
        fprintf(stderr, "sqsemu: unknown option '-%c'; see sqsemu --help\n", optopt);
    else
        fprintf(stderr, "sqsemu: unknown or ambiguous option '%.*s'; see sqsemu --help\n", SHOWN_VALUE_BYTES, arg);
}

/* One option from argv; CONFIG_OK to go on. */
static config_result take_option(config *cfg, int opt, bool *given)
{
    if (opt >= OPT_FIRST && opt < OPT_FIRST + (int)FLAG_COUNT) {
        const flag_spec *f = &flags[opt - OPT_FIRST];
        given[opt - OPT_FIRST] = true;
        if (apply(cfg, f, f->kind == V_SWITCH ? NULL : optarg))
            return CONFIG_OK;
        char origin[64];
        snprintf(origin, sizeof origin, "--%s", f->name);
        report_invalid(f, origin, optarg);
        return CONFIG_EXIT_ERROR;
    }
    switch (opt) {
    case OPT_AUTH_KEY: return add_auth_key(cfg, "--auth-key", optarg) ? CONFIG_OK : CONFIG_EXIT_ERROR;
    case OPT_TEMPLATE: return add_template(cfg, "--template", optarg) ? CONFIG_OK : CONFIG_EXIT_ERROR;
    case OPT_PARAMETER: return add_parameter(cfg, "--parameter", optarg) ? CONFIG_OK : CONFIG_EXIT_ERROR;
    case OPT_STACK_NAME: return set_stack_name(cfg, "--stack-name", optarg) ? CONFIG_OK : CONFIG_EXIT_ERROR;
    case 'h':
    case OPT_HELP: print_help(stdout); return CONFIG_EXIT_OK;
    case OPT_VERSION: printf("sqsemu %s\n", SQSEMU_VERSION); return CONFIG_EXIT_OK;
    default: return CONFIG_EXIT_ERROR;
    }
}

config_result config_parse(config *cfg, int argc, char **argv)
{
    struct option options[FLAG_COUNT + 7];
    build_options(options);
    optind = 1;
    opterr = 0;
    bool given[FLAG_COUNT] = {false};
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            report_bad_option(opt, argv[optind - 1]);
            return CONFIG_EXIT_ERROR;
        }
        config_result r = take_option(cfg, opt, given);
        if (r != CONFIG_OK)
            return r;
    }
    if (optind < argc) {
        fprintf(stderr, "sqsemu: unexpected argument '%s' (sqsemu takes only options); see sqsemu --help\n",
                argv[optind]);
        return CONFIG_EXIT_ERROR;
    }
    return read_env(cfg, given) ? CONFIG_OK : CONFIG_EXIT_ERROR;
}
