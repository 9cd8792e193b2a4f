/* The console's queue list: every queue of every account and region (GET /_sqsemu/queues),
 * creating a queue (with an optional dead-letter queue), deleting and purging. Only the
 * server's default account and region can be changed from the page (its SQS calls are
 * unsigned); the others are listed read-only. */
'use strict';

let queueCache = { Queues: [], DefaultAccount: '', DefaultRegion: '' };

async function loadQueues() {
  queueCache = await admin('GET', 'queues');
  return queueCache;
}

/* A queue of the default account and region, by name (a dead-letter queue named on a form). */
function defaultQueue(name) {
  return queueCache.Queues.find((q) => q.Default && q.Name === name);
}

function queueByArn(arn) { return queueCache.Queues.find((q) => q.Arn === arn); }

function queueLink(arn) {
  const q = queueByArn(arn);
  const p = arnParts(arn);
  return q ? link(queuePath(q), q.Name) : el('span', {}, p.Name || '-');
}

function redrivePolicy(dlqName, maxReceive) {
  const dlq = defaultQueue(dlqName);
  if (!dlq) throw new ApiError('QueueDoesNotExist', 'No queue named ' + dlqName + ' in the default account and region.');
  return JSON.stringify({ deadLetterTargetArn: dlq.Arn, maxReceiveCount: Number(maxReceive || 3) });
}

function createQueueForm() {
  const form = el('form', { 'aria-label': 'Create queue' },
    field('Queue name', el('input', { type: 'text', name: 'name', required: true, maxlength: 80, autocomplete: 'off' })),
    check('FIFO', el('input', { type: 'checkbox', name: 'fifo' })),
    field('Dead-letter queue', el('input', { type: 'text', name: 'dlq', maxlength: 80, autocomplete: 'off' })),
    field('Max receive count', el('input', { type: 'number', name: 'maxReceive', min: 1, max: 1000, value: '3' })),
    el('button', { type: 'submit' }, 'Create queue'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    act(async () => {
      const attributes = {};
      if (v.fifo) attributes.FifoQueue = 'true';
      if (v.dlq) attributes.RedrivePolicy = redrivePolicy(v.dlq.trim(), v.maxReceive);
      await sqs('CreateQueue', { QueueName: v.name.trim(), Attributes: attributes });
      form.elements.name.value = '';
      form.elements.dlq.value = '';
    });
  });
  return form;
}

function queueRow(q) {
  const actions = q.Default
    ? [el('button', { type: 'button', class: 'danger', onclick: () => confirm('Delete the queue ' + q.Name + ' and its messages?') &&
          act(() => sqs('DeleteQueue', { QueueUrl: q.Url })) }, 'Delete ' + q.Name),
       el('button', { type: 'button', class: 'secondary', onclick: () => confirm('Purge every message of ' + q.Name + '?') &&
          act(() => sqs('PurgeQueue', { QueueUrl: q.Url })) }, 'Purge ' + q.Name)]
    : el('span', { class: 'note' }, 'read-only');
  return el('tr', {},
    el('td', {}, link(queuePath(q), q.Name)),
    el('td', {}, q.Account + ' / ' + q.Region),
    el('td', {}, q.Type),
    num(q.Visible), num(q.InFlight), num(q.Delayed),
    el('td', {}, q.DeadLetterTargetArn ? queueLink(q.DeadLetterTargetArn) : '-'),
    // Plain names: a row's only links are the queue's own and its DLQ's.
    el('td', {}, q.RedriveSources.length ? q.RedriveSources.map((a) => arnParts(a).Name).join(', ') : '-'),
    el('td', {}, actions));
}

function queuesView() {
  const t = table('Queues', ['Name', 'Account / region', 'Type', 'Visible', 'In flight', 'Delayed', 'DLQ', 'Redrive sources', 'Actions']);
  const note = el('p', { class: 'note' });
  const node = el('div', {}, el('h1', {}, 'Queues'), createQueueForm(), note, t.node);
  return {
    section: 'queues', title: 'Queues', node,
    async refresh() {
      const doc = await loadQueues();
      note.textContent = 'The page acts in account ' + doc.DefaultAccount + ', region ' + doc.DefaultRegion +
        '; queues of other accounts and regions are shown read-only.';
      syncRows(t.body, doc.Queues, (q) => q.Arn, queueRow, 'No queues yet.');
    },
  };
}
