/* The console's functions: every function of every account and region (GET
 * /_sqsemu/functions) with its runtime, state and live execution environments, and a
 * function's page with its recent invocations (GET /_sqsemu/invocations, newest first:
 * outcome, duration, trigger, the batch's message ids) and an invocation's log, which
 * follows new lines while it is open. */
'use strict';

function functionsView() {
  const t = table('Functions', ['Name', 'Account / region', 'Runtime', 'State', 'Warm environments', 'Running', 'Invocations', 'Errors']);
  const node = el('div', {}, el('h1', {}, 'Functions'), t.node,
    el('p', { class: 'note' }, 'Create functions with the Lambda API (aws lambda create-function); triggers are configured on a queue\'s page.'));
  return {
    section: 'functions', title: 'Functions', node,
    async refresh() {
      const doc = await admin('GET', 'functions');
      syncRows(t.body, doc.Functions, (f) => f.FunctionArn, (f) => el('tr', {},
        el('td', {}, link(functionPath(f), f.FunctionName)),
        el('td', {}, f.Account + ' / ' + f.Region),
        el('td', {}, f.Runtime || 'image'), el('td', {}, f.State),
        num(f.Environments), num(f.Running), num(f.Invocations), num(f.Errors)), 'No functions yet.');
    },
  };
}

function triggerName(trigger) {
  if (trigger === 'Invoke' || trigger === 'Event') return trigger;
  return 'mapping ' + trigger;
}

function invocationRow(inv, showLog) {
  const ids = inv.MessageIds || [];
  const failed = new Set(inv.FailedMessageIds || []);
  return el('tr', {},
    el('td', { class: 'mono' }, inv.RequestId),
    el('td', {}, inv.Outcome.replace('_', ' '), inv.ErrorType ? el('span', { class: 'note' }, ' ' + inv.ErrorType + (inv.ErrorMessage ? ': ' + inv.ErrorMessage : '')) : ''),
    num(inv.DurationMs === undefined ? '-' : Math.round(inv.DurationMs) + ' ms'),
    el('td', {}, triggerName(inv.Trigger)),
    el('td', {}, inv.StartTimeMs ? new Date(inv.StartTimeMs).toISOString() : '-'),
    el('td', { class: 'mono' }, ids.length ? ids.map((id) => failed.has(id) ? id + ' (failed)' : id).join(', ') : '-'),
    el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': 'Show log ' + inv.RequestId,
      onclick: () => showLog(inv.RequestId) }, 'Show log')));
}

function functionView(account, region, name) {
  const summary = el('p', { class: 'note' });
  const t = table('Invocations', ['Request ID', 'Outcome', 'Duration', 'Trigger', 'Started', 'Message IDs', 'Log']);
  const logText = el('pre', { class: 'log', tabindex: 0 });
  const logTitle = el('h2', {}, 'Log');
  const logBox = el('section', { 'aria-label': 'Log', hidden: true }, logTitle, logText,
    el('button', { type: 'button', class: 'secondary', onclick: () => { open = null; logBox.hidden = true; } }, 'Close log'));
  let open = null, latest = [];
  const showLog = (id) => {
    open = id;
    logBox.hidden = false;
    logTitle.textContent = 'Log of ' + id;
    fillLog();
    logText.focus();
  };
  const fillLog = () => {
    const inv = latest.find((i) => i.RequestId === open);
    const log = inv && (Array.isArray(inv.Log) ? inv.Log.join('\n') : inv.Log);
    const text = inv ? log || '(no log lines)' : '(the invocation is no longer in the history)';
    if (logText.textContent !== text) {
      const atEnd = logText.scrollTop + logText.clientHeight >= logText.scrollHeight - 4;
      logText.textContent = text;
      if (atEnd) logText.scrollTop = logText.scrollHeight;
    }
  };
  const node = el('div', {}, el('h1', {}, name), summary, el('h2', {}, 'Recent invocations'), t.node, logBox);
  return {
    section: 'functions', title: name, node,
    async refresh() {
      const doc = await admin('GET', 'functions');
      const f = doc.Functions.find((x) => x.Account === account && x.Region === region && x.FunctionName === name);
      if (!f) throw new ApiError('ResourceNotFoundException', 'The function ' + name + ' does not exist in ' + account + ' / ' + region + '.');
      summary.textContent = (f.Runtime || 'image') + ', ' + f.State + ', ' + f.Environments + ' warm environment' +
        (f.Environments === 1 ? '' : 's') + ', ' + f.Running + ' running. ' + f.FunctionArn;
      const history = await admin('GET', 'invocations', { function: f.FunctionArn, limit: 100 });
      latest = history.Invocations;
      syncRows(t.body, latest, (i) => i.RequestId, (i) => invocationRow(i, showLog), 'No invocations yet.');
      if (open) fillLog();
    },
  };
}
