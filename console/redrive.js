/* The queue page's "Dead-letter queue redrive" tab, shown for a queue that is some queue's
 * dead-letter queue: StartMessageMoveTask (to the source queues, or to a chosen queue, at
 * an optional rate), and ListMessageMoveTasks with each task's progress; a running task can
 * be cancelled (CancelMessageMoveTask). AWS: SQS Developer Guide, "Configuring a
 * dead-letter queue redrive". */
'use strict';

function moveTaskRow(task) {
  return el('tr', {},
    el('td', {}, task.Status),
    el('td', {}, String(task.ApproximateNumberOfMessagesMoved || 0) + ' / ' +
      (task.ApproximateNumberOfMessagesToMove === undefined ? '?' : String(task.ApproximateNumberOfMessagesToMove))),
    el('td', {}, task.DestinationArn ? arnParts(task.DestinationArn).Name : 'Source queues'),
    num(task.MaxNumberOfMessagesPerSecond || '-'),
    el('td', {}, task.StartedTimestamp ? new Date(task.StartedTimestamp).toISOString() : '-'),
    el('td', {}, task.FailureReason || ''),
    el('td', {}, task.Status === 'RUNNING' && task.TaskHandle && el('button', { type: 'button', class: 'secondary',
      onclick: () => act(() => sqs('CancelMessageMoveTask', { TaskHandle: task.TaskHandle })) }, 'Cancel move task')));
}

function redrivePanel(ctx) {
  const dest = el('select', { name: 'destination' });
  const form = el('form', { 'aria-label': 'Start DLQ redrive' },
    field('Destination', dest),
    field('Messages per second', el('input', { type: 'number', name: 'rate', min: 1, max: 500 })),
    el('button', { type: 'submit', disabled: !ctx.queue.Default }, 'Start DLQ redrive'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    act(async () => {
      const input = { SourceArn: ctx.queue.Arn };
      if (v.destination) input.DestinationArn = v.destination;
      if (v.rate) input.MaxNumberOfMessagesPerSecond = Number(v.rate);
      await sqs('StartMessageMoveTask', input);
    });
  });
  const t = table('Move tasks', ['Status', 'Moved / total', 'Destination', 'Per second', 'Started', 'Failure', 'Actions']);
  let shown = null;
  const fillDestinations = () => {
    const keep = dest.value;
    const others = queueCache.Queues.filter((q) => q.Default && q.Arn !== ctx.queue.Arn);
    const sig = others.map((q) => q.Arn).join(' ');
    if (sig === shown) return;
    shown = sig;
    dest.replaceChildren(el('option', { value: '' }, 'Source queues'), ...others.map((q) => el('option', { value: q.Arn }, q.Name)));
    dest.value = [...dest.options].some((o) => o.value === keep) ? keep : '';
  };
  return {
    panel: el('div', {}, el('p', { class: 'note' }, 'Moves the messages of this dead-letter queue back to their source queues, or to another queue.'),
      form, el('h2', {}, 'Move tasks'), t.node),
    open: async () => fillDestinations(),
    async refresh() {
      fillDestinations();
      const doc = await sqs('ListMessageMoveTasks', { SourceArn: ctx.queue.Arn, MaxResults: 10 });
      const tasks = (doc.Results || []).map((x, i) => Object.assign({ _i: i }, x));
      syncRows(t.body, tasks, (x) => x.TaskHandle || (x.StartedTimestamp + ':' + x._i), moveTaskRow, 'No move tasks.');
    },
  };
}
