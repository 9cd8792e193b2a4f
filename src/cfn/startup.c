/* cfn/startup: the --template files of the configuration, applied once the services run
 * and before "Ready.": each creates its stack, or updates the stack of that name kept in
 * the data directory (left alone when nothing changed), so a restart does not duplicate
 * anything. A template's parameters are its own --parameter options, then those given
 * before any --template (its own win). Every capability is granted: the operator asked
 * for the template. */
#include <stdio.h>

#include "engine.h"
#include "sqsemu/config.h"
#include "sqsemu/log.h"

bool cfn_apply_config(const config *cfg, const char *url_base)
{
    cfn_ctx ctx = {.account = cfg->account_id, .region = cfg->region, .url_base = url_base,
                   .request_id = "start-up", .base_dir = "."};
    for (int i = 0; i < cfg->template_count; i++) {
        const config_template *t = &cfg->templates[i];
        const char *params[CONFIG_MAX_PARAMETERS * 2];
        size_t n = 0;
        for (int j = 0; j < t->parameter_count; j++)
            params[n++] = t->parameters[j];
        for (int j = 0; j < cfg->all_parameter_count; j++)
            params[n++] = cfg->all_parameters[j];
        cfn_error err = {0};
        if (!cfn_apply_template_file(&ctx, t->path, t->stack_name, params, n, &err)) {
            log_error("--template %s: %s", t->path, err.message);
            return false;
        }
    }
    return true;
}
