/* The console's queue page (/_sqsemu/console/queues/<account>/<region>/<name>): the counts,
 * and tabs for the messages (the no-side-effect peek of GET /_sqsemu/messages, sending,
 * deleting a visible message through POST /_sqsemu/messages/delete), the attributes
 * (GetQueueAttributes / SetQueueAttributes), the Lambda triggers (triggers.js) and, for a
 * dead-letter queue, the redrive (redrive.js). Tabs follow the WAI-ARIA tabs pattern:
 * arrow keys move between them. */
'use strict';

function tabs(items, onSelect) {
  const list = el('div', { role: 'tablist', 'aria-label': 'Queue sections' });
  const panels = el('div');
  const buttons = [];
  const select = (i, focus) => {
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      items[j].panel.hidden = i !== j;
    });
    if (focus) buttons[i].focus();
    onSelect(items[i].id);
  };
  items.forEach((item, i) => {
    const b = el('button', { type: 'button', role: 'tab', id: 'tab-' + item.id, 'aria-controls': 'panel-' + item.id,
      onclick: () => select(i, false) }, item.label);
    b.addEventListener('keydown', (ev) => {
      const n = buttons.length;
      const to = ev.key === 'ArrowRight' ? (i + 1) % n : ev.key === 'ArrowLeft' ? (i + n - 1) % n
        : ev.key === 'Home' ? 0 : ev.key === 'End' ? n - 1 : -1;
      if (to >= 0) { ev.preventDefault(); select(to, true); }
    });
    buttons.push(b);
    list.append(b);
    item.panel.id = 'panel-' + item.id;
    item.panel.setAttribute('role', 'tabpanel');
    // Not named after its tab (aria-labelledby): "Dead-letter queue redrive" would then also
    // answer to the label "Dead-letter queue" of the attributes field.
    panels.append(item.panel);
  });
  return { node: el('div', {}, list, panels), select, has: (id) => items.some((x) => x.id === id) };
}

function inSeconds(ms, now) {
  const s = Math.round((ms - now) / 1000);
  return s <= 0 ? 'now' : s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
}

/* ---- messages ---- */

function sendForm(ctx) {
  const fifo = ctx.queue.Type === 'FIFO';
  const form = el('form', { 'aria-label': 'Send message' },
    field('Message body', el('textarea', { name: 'body', required: true, maxlength: 262144 })),
    fifo && field('Message group ID', el('input', { type: 'text', name: 'group', required: true, maxlength: 128 })),
    fifo && field('Deduplication ID', el('input', { type: 'text', name: 'dedup', maxlength: 128 })),
    field('Attributes (JSON, optional)', el('input', { type: 'text', name: 'attrs', placeholder: '{"kind": "test"}' })),
    el('button', { type: 'submit', disabled: !ctx.queue.Default }, 'Send message'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    act(async () => {
      const input = { QueueUrl: ctx.queue.Url, MessageBody: v.body };
      if (v.group) input.MessageGroupId = v.group;
      if (v.dedup) input.MessageDeduplicationId = v.dedup;
      if (v.attrs && v.attrs.trim()) {
        let attrs;
        try { attrs = JSON.parse(v.attrs); } catch (e) { throw new ApiError('InvalidParameterValue', 'The attributes are not JSON: ' + e.message); }
        input.MessageAttributes = Object.fromEntries(Object.entries(attrs).map(([k, x]) =>
          [k, typeof x === 'number' ? { DataType: 'Number', StringValue: String(x) } : { DataType: 'String', StringValue: String(x) }]));
      }
      await sqs('SendMessage', input);
      form.elements.body.value = '';
    });
  });
  return form;
}

function messageRow(ctx, m) {
  const attrs = Object.entries(m.MessageAttributes || {}).map(([k, a]) => k + '=' + (a.StringValue || '(binary)')).join(', ');
  return el('tr', {},
    el('td', { class: 'mono' }, m.MessageId),
    el('td', {}, el('span', { class: 'body' }, m.Body), attrs && el('span', { class: 'note' }, attrs)),
    el('td', {}, m.State),
    num((m.Attributes || {}).ApproximateReceiveCount || '0'),
    el('td', {}, (m.NextChange === 'visible' ? 'visible in ' : 'expires in ') + inSeconds(m.NextChangeMs, ctx.now)),
    el('td', {}, m.State === 'visible' && ctx.queue.Default && el('button', { type: 'button', class: 'danger',
      'aria-label': 'Delete message ' + m.MessageId,
      onclick: () => act(() => admin('POST', 'messages/delete', { QueueUrl: ctx.queue.Url, MessageId: m.MessageId })) },
      'Delete')));
}

function messagesPanel(ctx) {
  const t = table('Messages', ['Message ID', 'Body', 'State', 'Receive count', 'Next change', 'Actions']);
  const more = el('p', { class: 'note' });
  return {
    panel: el('div', {}, sendForm(ctx), t.node, more),
    async refresh() {
      const [doc, clock] = await Promise.all([admin('GET', 'messages', { QueueUrl: ctx.queue.Url, Limit: 100 }), admin('GET', 'clock')]);
      ctx.now = clock.now_ms;
      // The row's text depends on the clock; keep its signature to the message's own state.
      const rows = doc.Messages.map((m) => Object.assign({}, m, { _next: inSeconds(m.NextChangeMs, ctx.now) }));
      syncRows(t.body, rows, (m) => m.MessageId, (m) => messageRow(ctx, m), 'No messages.');
      more.textContent = doc.NextToken ? 'The first 100 messages are shown.' : '';
    },
  };
}

/* ---- attributes ---- */

function attributesPanel(ctx) {
  const input = (name) => el('input', { type: 'number', name, min: 0 });
  const form = el('form', { 'aria-label': 'Queue attributes' },
    field('Visibility timeout', input('VisibilityTimeout')),
    field('Delivery delay', input('DelaySeconds')),
    field('Message retention period', input('MessageRetentionPeriod')),
    field('Dead-letter queue', el('input', { type: 'text', name: 'dlq', maxlength: 80 })),
    field('Max receive count', el('input', { type: 'number', name: 'maxReceive', min: 1, max: 1000 })),
    el('button', { type: 'submit', disabled: !ctx.queue.Default }, 'Save attributes'));
  const status = el('p', { role: 'status', class: 'note' });
  const all = el('dl', { class: 'mono' });
  let hadPolicy = false;
  const load = async () => {
    const doc = await sqs('GetQueueAttributes', { QueueUrl: ctx.queue.Url, AttributeNames: ['All'] });
    const a = doc.Attributes || {};
    for (const k of ['VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod']) form.elements[k].value = a[k] || '';
    const policy = a.RedrivePolicy ? JSON.parse(a.RedrivePolicy) : null;
    hadPolicy = !!policy;
    form.elements.dlq.value = policy ? arnParts(policy.deadLetterTargetArn).Name : '';
    form.elements.maxReceive.value = policy ? policy.maxReceiveCount : '3';
    all.replaceChildren(...Object.entries(a).sort().flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    status.textContent = '';
    act(async () => {
      const attributes = { VisibilityTimeout: v.VisibilityTimeout, DelaySeconds: v.DelaySeconds, MessageRetentionPeriod: v.MessageRetentionPeriod };
      if (v.dlq.trim()) attributes.RedrivePolicy = redrivePolicy(v.dlq.trim(), v.maxReceive);
      else if (hadPolicy) attributes.RedrivePolicy = '';
      await sqs('SetQueueAttributes', { QueueUrl: ctx.queue.Url, Attributes: attributes });
      await load();
      status.textContent = 'Saved.';
    });
  });
  return { panel: el('div', {}, form, status, el('h2', {}, 'All attributes'), all), open: load };
}

/* ---- the page ---- */

function queueView(account, region, name) {
  const node = el('div', {}, el('h1', {}, name));
  const view = { section: 'queues', title: name, node };
  let ctx = null, current = 'messages', panels = null;
  const counts = { Visible: el('b', { 'aria-label': 'Visible count' }), InFlight: el('b', { 'aria-label': 'In flight count' }),
    Delayed: el('b', { 'aria-label': 'Delayed count' }) };
  const build = (queue) => {
    ctx = { queue, now: Date.now(), isDlq: queue.RedriveSources.length > 0 };
    const about = el('p', { class: 'note' }, queue.Type + ' queue in account ' + queue.Account + ', region ' + queue.Region + '. ',
      el('span', { class: 'mono' }, queue.Arn));
    const countLine = el('div', { class: 'counts' }, el('span', {}, 'Visible: ', counts.Visible),
      el('span', {}, 'In flight: ', counts.InFlight), el('span', {}, 'Delayed: ', counts.Delayed));
    node.replaceChildren(el('h1', {}, name), about, countLine);
    if (!queue.Default) {
      // The page's SQS and Lambda calls are unsigned: they reach the default account and region only.
      panels = {};
      node.append(el('p', {}, 'Read-only: the console acts in the default account and region (' + queueCache.DefaultAccount +
        ' / ' + queueCache.DefaultRegion + '); this queue\'s counts are shown, its messages, attributes and triggers are not.'));
      return;
    }
    panels = { messages: messagesPanel(ctx), attributes: attributesPanel(ctx), triggers: triggersPanel(ctx) };
    const items = [{ id: 'messages', label: 'Messages' }, { id: 'attributes', label: 'Attributes' }, { id: 'triggers', label: 'Lambda triggers' }];
    if (ctx.isDlq) { panels.redrive = redrivePanel(ctx); items.push({ id: 'redrive', label: 'Dead-letter queue redrive' }); }
    const t = tabs(items.map((i) => Object.assign(i, { panel: panels[i.id].panel })), (id) => {
      current = id;
      if (panels[id].open) panels[id].open().catch(showError);
      refresh();
    });
    node.append(t.node);
    t.select(Math.max(0, items.findIndex((i) => i.id === current)), false);
  };
  view.refresh = async () => {
    const doc = await loadQueues();
    const queue = doc.Queues.find((q) => q.Account === account && q.Region === region && q.Name === name);
    if (!queue) {
      if (!ctx) node.replaceChildren(el('h1', {}, name), el('p', {}, 'There is no such queue. ', link(ROOT, 'Back to the queues')));
      throw new ApiError('QueueDoesNotExist', 'The queue ' + name + ' does not exist in ' + account + ' / ' + region + '.');
    }
    // Built once; again only when the queue becomes, or stops being, a dead-letter queue.
    if (!ctx || ctx.isDlq !== (queue.RedriveSources.length > 0)) build(queue);
    ctx.queue = Object.assign(ctx.queue, queue);
    for (const k of Object.keys(counts)) counts[k].textContent = String(queue[k]);
    if (panels[current] && panels[current].refresh) await panels[current].refresh();
  };
  return view;
}
