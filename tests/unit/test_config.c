/* Unit tests of config (flags, SQSEMU_* variables, their precedence and error messages)
 * and of the JSON log format's escaping. stderr is caught in a temporary file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sqsemu/config.h"
#include "sqsemu/log.h"

static char caught[16384];

/* Runs config_parse on the NULL-terminated args (argv[0] added) with stderr caught. */
static config_result parse(config *cfg, const char *const *args)
{
    char *argv[32] = {"sqsemu"};
    int argc = 1;
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    config_defaults(cfg);
    char path[] = "/tmp/sqsemu-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    config_result r = config_parse(cfg, argc, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, caught, sizeof caught - 1, 0);
    caught[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return r;
}

static int clear_env(void **state)
{
    (void)state;
    static const char *const names[] = {"SQSEMU_PORT", "SQSEMU_HOST", "SQSEMU_IN_MEMORY", "SQSEMU_LOG_FORMAT",
                                        "SQSEMU_CLOCK_OFFSET", "SQSEMU_CLOCK_FROZEN", "SQSEMU_AUTH_KEY",
                                        "SQSEMU_AUTH", "SQSEMU_STRICT", "SQSEMU_MAX_BODY_MEMORY",
                                        "SQSEMU_TEMPLATE", "SQSEMU_PARAMETER", "SQSEMU_STACK_NAME",
                                        "SQSEMU_IAC_IGNORE_UNSUPPORTED"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    config cfg;
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_OK);
    assert_int_equal(cfg.port, 9324);
    assert_string_equal(cfg.host, "127.0.0.1");
    assert_false(cfg.in_memory);
    assert_int_equal(cfg.log_format, LOG_FORMAT_TEXT);
    assert_int_equal(cfg.clock_offset_ms, 0);
    assert_false(cfg.clock_frozen);
    assert_string_equal(caught, "");
}

static void test_variables_set_values(void **state)
{
    (void)state;
    setenv("SQSEMU_PORT", "4566", 1);
    setenv("SQSEMU_IN_MEMORY", "Yes", 1);
    setenv("SQSEMU_LOG_FORMAT", "json", 1);
    setenv("SQSEMU_CLOCK_OFFSET", "-3600000", 1);
    setenv("SQSEMU_CLOCK_FROZEN", "1", 1);
    setenv("SQSEMU_MAX_BODY_MEMORY", "64", 1);
    config cfg;
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_OK);
    assert_int_equal(cfg.port, 4566);
    assert_true(cfg.in_memory);
    assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);
    assert_int_equal(cfg.clock_offset_ms, -3600000);
    assert_true(cfg.clock_frozen);
    assert_int_equal(cfg.max_body_memory_mb, 64);
}

static void test_switch_values(void **state)
{
    (void)state;
    static const char *const on[] = {"1", "true", "TRUE", "yes"}, *const off[] = {"0", "false", "No", "no"};
    config cfg;
    for (int i = 0; i < 4; i++) {
        setenv("SQSEMU_STRICT", on[i], 1);
        assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_OK);
        assert_true(cfg.strict);
        setenv("SQSEMU_STRICT", off[i], 1);
        assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_OK);
        assert_false(cfg.strict);
    }
    setenv("SQSEMU_STRICT", "on", 1);
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_EXIT_ERROR);
    assert_non_null(strstr(caught, "invalid value 'on' for SQSEMU_STRICT: expected 1, true, yes, 0, false or no"));
}

static void test_flag_wins_and_its_variable_is_not_read(void **state)
{
    (void)state;
    setenv("SQSEMU_PORT", "abc", 1);
    setenv("SQSEMU_HOST", "0.0.0.0", 1);
    config cfg;
    assert_int_equal(parse(&cfg, (const char *[]){"--port", "10", "--port", "11", NULL}), CONFIG_OK);
    assert_int_equal(cfg.port, 11); /* the last of a repeated flag */
    assert_string_equal(cfg.host, "0.0.0.0");
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_EXIT_ERROR);
    assert_non_null(strstr(caught, "sqsemu: invalid value 'abc' for SQSEMU_PORT: expected an integer from 0 to 65535"));
}

static void test_bad_flag_values_name_flag_and_expectation(void **state)
{
    (void)state;
    static const struct {
        const char *flag, *value, *message;
    } cases[] = {
        {"--port", "abc", "invalid value 'abc' for --port: expected an integer from 0 to 65535 (0: any free port)"},
        {"--log-level", "x", "invalid value 'x' for --log-level: expected one of debug, info, warn, error"},
        {"--log-format", "yaml", "invalid value 'yaml' for --log-format: expected one of text, json"},
        {"--request-timeout", "0", "invalid value '0' for --request-timeout: expected an integer from 1 to 3600"},
        {"--clock-offset", "1e3", "invalid value '1e3' for --clock-offset: expected an integer of milliseconds"},
        {"--account-id", "12", "invalid value '12' for --account-id: expected 12 digits"},
    };
    config cfg;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse(&cfg, (const char *[]){cases[i].flag, cases[i].value, NULL}), CONFIG_EXIT_ERROR);
        assert_non_null(strstr(caught, cases[i].message));
    }
    assert_int_equal(parse(&cfg, (const char *[]){"--nope", NULL}), CONFIG_EXIT_ERROR);
    assert_string_equal(caught, "sqsemu: unknown or ambiguous option '--nope'; see sqsemu --help\n");
    assert_int_equal(parse(&cfg, (const char *[]){"--in-memory=1", NULL}), CONFIG_EXIT_ERROR);
    assert_string_equal(caught, "sqsemu: --in-memory takes no value; see sqsemu --help\n");
}

static void test_auth_keys_from_the_variable_or_the_flags(void **state)
{
    (void)state;
    setenv("SQSEMU_AUTH_KEY", "k1:s1,k2:s2:123456789012", 1);
    config cfg;
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_OK);
    assert_int_equal(cfg.auth_key_count, 2);
    assert_string_equal(cfg.auth_keys[0], "k1:s1");
    assert_string_equal(cfg.auth_keys[1], "k2:s2:123456789012");
    assert_string_equal(cfg.auth_key_origin, "SQSEMU_AUTH_KEY");
    assert_int_equal(parse(&cfg, (const char *[]){"--auth-key", "f:s", NULL}), CONFIG_OK);
    assert_int_equal(cfg.auth_key_count, 1);
    assert_string_equal(cfg.auth_keys[0], "f:s");
    assert_string_equal(cfg.auth_key_origin, "--auth-key");
    setenv("SQSEMU_AUTH_KEY", "k1:s1,", 1);
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_EXIT_ERROR);
    assert_non_null(strstr(caught, "invalid value for SQSEMU_AUTH_KEY"));
    assert_null(strstr(caught, "s1"));
}

/* One log line in the JSON format, caught. */
static void log_json(const char *msg)
{
    char path[] = "/tmp/sqsemu-test-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    log_set_format(LOG_FORMAT_JSON);
    log_warn("%s", msg);
    log_set_format(LOG_FORMAT_TEXT);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, caught, sizeof caught - 1, 0);
    caught[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

static void test_json_log_escaping(void **state)
{
    (void)state;
    log_json("a\"b\\c\n\t\x01 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end");
    const char *msg = strstr(caught, "\"level\":\"warn\",\"msg\":\"");
    assert_non_null(msg);
    assert_string_equal(msg, "\"level\":\"warn\",\"msg\":\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
                             "end\"}\n");
    assert_memory_equal(caught, "{\"time\":\"", 9);
    /* bytes that are not UTF-8: stray continuation, cut sequences, overlong, surrogate, > U+10FFFF */
    log_json("\x80|\xc3|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xff");
    msg = strstr(caught, "\"msg\":\"");
    assert_non_null(msg);
    assert_string_equal(msg, "\"msg\":\"\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
                             "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                             "\xef\xbf\xbd\"}\n");
}

static void test_templates_and_their_options(void **state)
{
    (void)state;
    config cfg;
    assert_int_equal(parse(&cfg, (const char *[]){"--parameter", "Env=dev", "--template", "a.yaml", "--stack-name",
                                                  "first", "--parameter", "X=1", "--parameter", "Y=a=b",
                                                  "--template", "b.json", "--iac-ignore-unsupported", NULL}),
                     CONFIG_OK);
    assert_int_equal(cfg.template_count, 2);
    assert_string_equal(cfg.templates[0].path, "a.yaml");
    assert_string_equal(cfg.templates[0].stack_name, "first");
    assert_int_equal(cfg.templates[0].parameter_count, 2);
    assert_string_equal(cfg.templates[0].parameters[1], "Y=a=b");
    assert_null(cfg.templates[1].stack_name);
    assert_int_equal(cfg.templates[1].parameter_count, 0);
    assert_int_equal(cfg.all_parameter_count, 1);
    assert_string_equal(cfg.all_parameters[0], "Env=dev");
    assert_true(cfg.iac_ignore_unsupported);
    assert_int_equal(parse(&cfg, (const char *[]){"--stack-name", "x", NULL}), CONFIG_EXIT_ERROR);
    assert_non_null(strstr(caught, "--stack-name must follow the --template it names"));
    assert_int_equal(parse(&cfg, (const char *[]){"--template", "a", "--parameter", "novalue", NULL}),
                     CONFIG_EXIT_ERROR);
    assert_non_null(strstr(caught, "expected KEY=VALUE"));
    setenv("SQSEMU_TEMPLATE", "one.json,two.json", 1);
    setenv("SQSEMU_PARAMETER", "A=1,B=2", 1);
    setenv("SQSEMU_IAC_IGNORE_UNSUPPORTED", "yes", 1);
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_OK);
    assert_int_equal(cfg.template_count, 2);
    assert_string_equal(cfg.templates[1].path, "two.json");
    assert_int_equal(cfg.all_parameter_count, 2);
    assert_true(cfg.iac_ignore_unsupported);
    setenv("SQSEMU_STACK_NAME", "s", 1);
    assert_int_equal(parse(&cfg, (const char *[]){NULL}), CONFIG_EXIT_ERROR); /* two templates, one name */
    assert_int_equal(parse(&cfg, (const char *[]){"--template", "c.json", NULL}), CONFIG_OK);
    assert_int_equal(cfg.template_count, 1); /* the flag wins over the variable */
    assert_string_equal(cfg.templates[0].stack_name, "s");
    assert_int_equal(cfg.all_parameter_count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_variables_set_values, clear_env),
        cmocka_unit_test_setup(test_switch_values, clear_env),
        cmocka_unit_test_setup(test_flag_wins_and_its_variable_is_not_read, clear_env),
        cmocka_unit_test_setup(test_bad_flag_values_name_flag_and_expectation, clear_env),
        cmocka_unit_test_setup(test_auth_keys_from_the_variable_or_the_flags, clear_env),
        cmocka_unit_test_setup(test_templates_and_their_options, clear_env),
        cmocka_unit_test(test_json_log_escaping),
    };
    return cmocka_run_group_tests(tests, clear_env, NULL);
}
