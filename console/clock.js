/* The console's clock page: the emulated clock every SQS and Lambda rule reads (GET
 * /_sqsemu/clock), advanced ("advance by" seconds) and frozen or let run (POST
 * /_sqsemu/clock). The clock only moves forward. */
'use strict';

function clockView() {
  const time = el('output', { 'aria-label': 'Emulated time', class: 'clock-time' });
  const detail = el('p', { class: 'note' });
  const freeze = el('button', { type: 'button', class: 'secondary' }, 'Freeze');
  let frozen = false;
  freeze.addEventListener('click', () => act(() => request('POST', '/_sqsemu/clock', JSON.stringify({ freeze: !frozen }))));
  const form = el('form', { 'aria-label': 'Advance the clock' },
    field('Advance by (seconds)', el('input', { type: 'number', name: 'seconds', min: 0, step: 'any', required: true, value: '30' })),
    el('button', { type: 'submit' }, 'Advance'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const seconds = Number(formValues(form).seconds);
    act(() => request('POST', '/_sqsemu/clock', JSON.stringify({ advance_ms: Math.round(seconds * 1000) })));
  });
  const node = el('div', {}, el('h1', {}, 'Clock'), el('p', {}, time), detail, form, el('p', {}, freeze),
    el('p', { class: 'note' }, 'Visibility timeouts, delays, retention, batching windows and move-task rates follow this clock; handlers and their timeouts run in real time.'));
  return {
    section: 'clock', title: 'Clock', node,
    async refresh() {
      const c = await admin('GET', 'clock');
      frozen = c.frozen;
      time.textContent = new Date(c.now_ms).toISOString();
      detail.textContent = (c.frozen ? 'Frozen. ' : 'Running. ') + 'Offset from the machine\'s time: ' + (c.offset_ms / 1000) + ' s.';
      freeze.textContent = c.frozen ? 'Unfreeze' : 'Freeze';
    },
  };
}
