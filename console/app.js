/* The sqsemu console: one page that routes on location.pathname (history.pushState), reads
 * sqsemu's admin routes (/_sqsemu/queues, /functions, /messages, /invocations, /clock) and
 * acts through the AWS APIs unsigned (SQS JSON 1.0, Lambda REST), so the server's default
 * account and region. The current view refreshes itself once a second; rows are replaced
 * only when their data changed, so focus and form input survive the refresh. Every failed
 * request is shown in the role="alert" element with its error code and message. */
'use strict';

const ROOT = '/_sqsemu/console';
const state = { view: null, timer: null, busy: false, seq: 0 };

/* ---- requests ---- */

class ApiError extends Error {
  constructor(code, message) { super(code + ': ' + message); this.code = code; this.detail = message; }
}

async function request(method, url, body, headers) {
  let res;
  try {
    res = await fetch(url, { method, headers: headers || {}, body });
  } catch (e) {
    throw new ApiError('NetworkError', 'sqsemu did not answer (' + e.message + ')');
  }
  const text = await res.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : {}; } catch (e) { doc = null; }
  if (!res.ok) {
    const d = doc || {};
    const header = res.headers.get('X-Amzn-ErrorType') || '';
    const code = (d.__type ? String(d.__type).split('#').pop() : '') || d.error || header.split(':')[0] ||
      d.code || d.Type || ('HTTP' + res.status);
    throw new ApiError(code, d.message || d.Message || text || res.statusText);
  }
  if (doc === null) throw new ApiError('BadResponse', 'The answer of ' + url + ' is not JSON.');
  return doc;
}

const admin = (method, path, params) =>
  request(method, '/_sqsemu/' + path + (params ? '?' + new URLSearchParams(params) : ''));
const sqs = (action, input) => request('POST', '/', JSON.stringify(input || {}), {
  'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.' + action });
const lambda = (method, path, input) => request(method, '/2015-03-31/' + path,
  input === undefined ? undefined : JSON.stringify(input), input === undefined ? {} : { 'Content-Type': 'application/json' });

/* ---- errors ---- */

function showError(err) {
  const box = document.getElementById('errors');
  const code = err instanceof ApiError ? err.code : 'Error';
  const message = err instanceof ApiError ? err.detail : String(err && err.message || err);
  box.replaceChildren(el('p', {}, el('strong', {}, code), ' ' + message),
    el('button', { type: 'button', class: 'secondary', onclick: () => box.replaceChildren() }, 'Dismiss'));
}

/* Runs an action from a button or form: its error is shown, then the view refreshes. */
async function act(fn) {
  try { await fn(); document.getElementById('errors').replaceChildren(); } catch (e) { showError(e); }
  refresh();
}

/* ---- DOM helpers ---- */

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'value') node.value = v;
    else if (k === 'checked') node.checked = !!v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

const link = (href, text) => el('a', { href, onclick: navigate }, text);
/* A label tied by for= (not wrapping the control, so a select's options are not part of
 * its accessible name). */
let fieldIds = 0;
function labelled(cls, label, input, after) {
  if (!input.id) input.id = 'f' + (++fieldIds);
  const l = el('label', { for: input.id }, label);
  return el('div', { class: cls }, after ? [input, l] : [l, input]);
}
const field = (label, input) => labelled('field', label, input, false);
const check = (label, input) => labelled('field check', label, input, true);
const num = (n) => el('td', { class: 'num' }, String(n));

function table(label, headings) {
  const body = el('tbody');
  const t = el('table', { 'aria-label': label }, el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))), body);
  return { node: el('div', { class: 'table-wrap' }, t), body };
}

/* Keeps tbody's rows in step with items: a row is rebuilt only when its item changed. */
function syncRows(body, items, key, build, empty) {
  const old = new Map([...body.rows].map((r) => [r.dataset.key, r]));
  const rows = items.map((item) => {
    const k = key(item), sig = JSON.stringify(item), prev = old.get(k);
    if (prev && prev.dataset.sig === sig) return prev;
    const row = build(item);
    row.dataset.key = k; row.dataset.sig = sig;
    return row;
  });
  if (!items.length) rows.push(el('tr', { 'data-key': '' }, el('td', { colspan: 12, class: 'note' }, empty)));
  if (rows.length !== body.rows.length || rows.some((r, i) => body.rows[i] !== r)) body.replaceChildren(...rows);
}

function formValues(form) { return Object.fromEntries(new FormData(form).entries()); }

/* ---- routing ---- */

function navigate(ev) {
  if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  ev.preventDefault();
  go(ev.currentTarget.getAttribute('href'));
}

function go(path) { history.pushState(null, '', path); route(); }

const queuePath = (q) => ROOT + '/queues/' + [q.Account, q.Region, q.Name].map(encodeURIComponent).join('/');
const functionPath = (f) => ROOT + '/functions/' + [f.Account, f.Region, f.FunctionName].map(encodeURIComponent).join('/');
const arnParts = (arn) => { const p = String(arn || '').split(':'); return { Region: p[3], Account: p[4], Name: p.slice(5).join(':') }; };

function route() {
  const rest = location.pathname.replace(/\/+$/, '').slice(ROOT.length).split('/').filter(Boolean).map(decodeURIComponent);
  let view;
  if (rest[0] === 'queues' && rest.length === 4) view = queueView(rest[1], rest[2], rest[3]);
  else if (rest[0] === 'functions' && rest.length === 4) view = functionView(rest[1], rest[2], rest[3]);
  else if (rest[0] === 'functions' && rest.length === 1) view = functionsView();
  else if (rest[0] === 'clock' && rest.length === 1) view = clockView();
  else if (rest.length === 0 || (rest[0] === 'queues' && rest.length === 1)) view = queuesView();
  else view = { section: '', title: 'Not found', node: el('div', {}, el('h1', {}, 'Not found'), el('p', {}, link(ROOT, 'Back to the queues'))) };
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.section === view.section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.title = view.title + ' - sqsemu console';
  state.view = view;
  state.seq++;
  document.getElementById('main').replaceChildren(view.node);
  refresh();
}

/* One refresh at a time; the next runs a second after the last ended. */
async function refresh() {
  clearTimeout(state.timer);
  const view = state.view, seq = state.seq;
  if (!view || !view.refresh) return;
  if (state.busy) { state.timer = setTimeout(refresh, 200); return; }
  state.busy = true;
  try { await view.refresh(); } catch (e) { if (seq === state.seq) showError(e); }
  state.busy = false;
  if (seq === state.seq) state.timer = setTimeout(refresh, 1000);
}

window.addEventListener('popstate', route);
document.addEventListener('DOMContentLoaded', () => {
  /* The header's section links route in the page too, like the links the views build. */
  for (const a of document.querySelectorAll('nav a')) a.addEventListener('click', navigate);
  route();
});
