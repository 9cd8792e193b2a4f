/* The queue page's "Lambda triggers" tab: the queue's event-source mappings
 * (ListEventSourceMappings with EventSourceArn), each with the outcome of its last batch
 * (the newest invocation in GET /_sqsemu/invocations whose Trigger is the mapping's UUID),
 * and the console flow AWS documents for an SQS trigger ("Configure Lambda function
 * trigger": function, batch size, batch window, report batch item failures, filter):
 * CreateEventSourceMapping, or UpdateEventSourceMapping when the function already has one
 * on this queue; enable, disable and delete through the same Lambda REST calls. */
'use strict';

const functionOf = (m) => String(m.FunctionArn || '').split(':')[6] || m.FunctionArn;

function outcomeText(inv) {
  if (!inv) return '-';
  const text = { success: 'success', function_error: 'function error', partial: 'partial', timeout: 'timeout', exit_error: 'exit error' }[inv.Outcome] || inv.Outcome;
  const failed = (inv.FailedMessageIds || []).length;
  return text + ' (' + (inv.MessageIds || []).length + ' messages' + (failed ? ', ' + failed + ' failed' : '') + ')';
}

function filtersText(m) {
  const filters = ((m.FilterCriteria || {}).Filters || []).map((f) => f.Pattern);
  return filters.length ? filters.join(' | ') : '-';
}

function triggerRow(m) {
  const fn = functionOf(m);
  const on = ['Enabled', 'Enabling', 'Creating', 'Updating'].includes(m.State);
  const uuid = encodeURIComponent(m.UUID);
  return el('tr', {},
    el('td', {}, fn),
    el('td', {}, m.State),
    num(m.BatchSize),
    num(m.MaximumBatchingWindowInSeconds || 0),
    el('td', { class: 'mono' }, filtersText(m)),
    el('td', {}, (m.FunctionResponseTypes || []).includes('ReportBatchItemFailures') ? 'yes' : 'no'),
    el('td', {}, m.lastOutcome),
    el('td', {},
      el('button', { type: 'button', class: 'secondary', onclick: () => act(() => lambda('PUT', 'event-source-mappings/' + uuid, { Enabled: !on })) },
        (on ? 'Disable trigger ' : 'Enable trigger ') + fn),
      el('button', { type: 'button', class: 'danger', onclick: () => confirm('Delete the trigger of ' + fn + '?') &&
        act(() => lambda('DELETE', 'event-source-mappings/' + uuid)) }, 'Delete trigger ' + fn)));
}

async function listAll(path, member) {
  const out = [];
  let marker = '';
  for (let page = 0; page < 20; page++) {
    const doc = await lambda('GET', path + (path.includes('?') ? '&' : '?') + 'MaxItems=50' + (marker ? '&Marker=' + encodeURIComponent(marker) : ''));
    out.push(...(doc[member] || []));
    marker = doc.NextMarker;
    if (!marker) break;
  }
  return out;
}

function triggerForm(ctx, current) {
  const select = el('select', { name: 'function', required: true });
  const form = el('form', { 'aria-label': 'Configure Lambda function trigger' },
    field('Function', select),
    field('Batch size', el('input', { type: 'number', name: 'batch', min: 1, max: 10000, value: '10' })),
    field('Batch window', el('input', { type: 'number', name: 'window', min: 0, max: 300, value: '0' })),
    check('Report batch item failures', el('input', { type: 'checkbox', name: 'report' })),
    field('Filter pattern', el('textarea', { name: 'filter', placeholder: '{"body": {"kind": ["order"]}}', maxlength: 4096 })),
    el('button', { type: 'submit', disabled: !ctx.queue.Default }, 'Save trigger'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    act(async () => {
      const body = {
        BatchSize: Number(v.batch || 10),
        MaximumBatchingWindowInSeconds: Number(v.window || 0),
        FunctionResponseTypes: v.report ? ['ReportBatchItemFailures'] : [],
        FilterCriteria: { Filters: v.filter && v.filter.trim() ? [{ Pattern: v.filter.trim() }] : [] },
      };
      const existing = current().find((m) => functionOf(m) === v.function);
      if (existing) await lambda('PUT', 'event-source-mappings/' + encodeURIComponent(existing.UUID), body);
      else await lambda('POST', 'event-source-mappings/', Object.assign(body, { FunctionName: v.function, EventSourceArn: ctx.queue.Arn }));
    });
  });
  const loadFunctions = async () => {
    const names = (await listAll('functions/', 'Functions')).map((f) => f.FunctionName).sort();
    const keep = select.value;
    select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    if (names.includes(keep)) select.value = keep;
    if (!names.length) select.append(el('option', { value: '' }, '(no functions)'));
  };
  return { form, loadFunctions };
}

function triggersPanel(ctx) {
  const t = table('Lambda triggers', ['Function', 'State', 'Batch size', 'Batch window (s)', 'Filters', 'Reports failures', 'Last batch', 'Actions']);
  let mappings = [];
  const f = triggerForm(ctx, () => mappings);
  const note = el('p', { class: 'note' }, 'Each trigger is an event-source mapping of this queue; its last batch comes from the invocation history.');
  return {
    panel: el('div', {}, t.node, note, el('h2', {}, 'Configure Lambda function trigger'), f.form),
    open: f.loadFunctions,
    async refresh() {
      const [list, history] = await Promise.all([
        listAll('event-source-mappings/?EventSourceArn=' + encodeURIComponent(ctx.queue.Arn), 'EventSourceMappings'),
        admin('GET', 'invocations', { limit: 100 })]);
      mappings = list;
      const rows = list.map((m) => Object.assign({}, m, { lastOutcome: outcomeText(history.Invocations.find((i) => i.Trigger === m.UUID)) }));
      syncRows(t.body, rows, (m) => m.UUID, triggerRow, 'No triggers: configure one below.');
    },
  };
}
