/* lambda/metrics: the Lambda half's numbers for the admin API's metrics: per function its
 * invocation totals (history.c), per event-source mapping the EventCount metrics AWS
 * publishes, counted by its poller. */
#include "function.h"
#include "history.h"
#include "mapping.h"
#include "sqsemu/lambda.h"

void lambda_metrics_each(void (*on_function)(const lambda_function_metrics *m, void *arg),
                         void (*on_mapping)(const lambda_mapping_metrics *m, void *arg), void *arg)
{
    for (const lambda_function *f = functions_first(); f && on_function; f = f->next) {
        function_totals t = history_totals(f);
        lambda_function_metrics m = {
            .account = f->account,
            .region = f->region,
            .name = f->name,
            .arn = f->arn,
            .runtime = function_string(f, "Runtime"),
            .state = function_string(f, "State"),
            .environments = f->env_count,
            .running = f->running,
            .invocations = t.invocations,
            .errors = t.errors,
            .throttles = t.throttles,
            .duration_ms_sum = t.duration_ms_sum,
        };
        on_function(&m, arg);
    }
    for (const mapping *mp = mappings_first(); mp && on_mapping; mp = mp->next) {
        lambda_mapping_metrics m = {
            .uuid = mp->uuid,
            .function_arn = mapping_string(mp, "FunctionArn"),
            .source_arn = mapping_string(mp, "EventSourceArn"),
            .state = mapping_string(mp, "State"),
            .polled = mp->stats.polled,
            .filtered_out = mp->stats.filtered_out,
            .invoked = mp->stats.invoked,
            .failed_invoke = mp->stats.failed_invoke,
            .deleted = mp->stats.deleted,
        };
        on_mapping(&m, arg);
    }
}
