// The local console of `make run`: plain JavaScript, no build step, nothing from another origin.
// Everything shown comes from /_console/api/... and goes into the DOM as text nodes or attribute values
// (createElement / createElementNS, textContent, setAttribute): never innerHTML, so event data cannot inject markup.
'use strict';

const API = '/_console/api';
const SVG_NS = 'http://www.w3.org/2000/svg';
const view = document.getElementById('view');
let timers = [];
let generation = 0;

// ---- DOM helpers (the only way anything reaches the page) ----

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) throw new Error('no event handler attributes: use addEventListener');
    node.setAttribute(name, String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A link inside the console: only '#/...' routes, each part URI-encoded. */
function link(text, ...parts) {
  return el('a', { href: '#/' + parts.map(encodeURIComponent).join('/') }, text);
}

function short(id) {
  return id ? String(id).slice(0, 8) : '';
}

function time(iso) {
  return iso ? String(iso).replace('T', ' ').replace('Z', '').replace(/(\.\d{3})\d+/, '$1') : '';
}

function clock(iso) {
  return iso ? time(iso).slice(11, 23) : '';
}

function status(value) {
  return el('span', { class: 'status ' + String(value).replace(/[^A-Za-z_-]/g, '') }, value);
}

function table(headers, rows, attrs) {
  return el('table', attrs, el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
    el('tbody', {}, rows));
}

function jsonBlock(text) {
  if (text === null || text === undefined) return '';
  let pretty = String(text);
  try { pretty = JSON.stringify(JSON.parse(pretty), null, 2); } catch (e) { /* shown as it is */ }
  const flat = pretty.replace(/\s+/g, ' ');
  return el('details', {}, el('summary', {}, flat.length > 48 ? flat.slice(0, 48) + '…' : flat), el('pre', {}, pretty));
}

async function getJson(path) {
  const response = await fetch(API + path, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : response.statusText;
    throw new Error(response.status + ' ' + detail);
  }
  return body;
}

function failure(error) {
  return el('p', { class: 'error', 'data-testid': 'error' }, String(error.message || error));
}

function every(ms, fn) {
  fn();
  timers.push(setInterval(fn, ms));
}

function show(...nodes) {
  view.replaceChildren(...nodes.flat(Infinity));
}

// ---- routing ----

function route() {
  timers.forEach(clearInterval);
  timers = [];
  generation++;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(p => p.length).map(decodeURIComponent);
  const [page, ...rest] = parts;
  document.title = 'nosql-es console';
  switch (page) {
    case undefined: return home();
    case 'sagas': return sagasPage();
    case 'saga': return sagaPage(rest.join('/'));
    case 'stream': return streamPage(rest[0], rest.slice(1).join('/'));
    case 'subscriptions': return single('Subscriptions', subscriptionsCard);
    case 'dlq': return rest.length ? deadLettersPage(rest[0]) : single('Dead letters', queuesCard);
    default: show(el('h1', {}, 'Not found'), el('p', {}, 'No such page: ', location.hash));
  }
}

function single(title, card) {
  const box = el('div');
  show(el('h1', {}, title), box);
  card(box);
}

// ---- the home page: live records, sagas, lag, dead letters ----

function home() {
  const live = el('div'), sagas = el('div'), lag = el('div'), dlq = el('div');
  show(el('h1', {}, 'The application at work'),
    el('div', { class: 'grid' },
      el('section', { class: 'card', id: 'sagas' }, el('h2', {}, 'Sagas'), sagas),
      el('section', { class: 'card', id: 'subscriptions' }, el('h2', {}, 'Subscription lag'), lag),
      el('section', { class: 'card', id: 'dead-letters' }, el('h2', {}, 'Dead letters'), dlq)),
    el('section', { class: 'card', id: 'live' }, el('h2', {}, 'Recent events (live)'), live));
  liveCard(live);
  sagasCard(sagas, 8);
  subscriptionsCard(lag, true);
  queuesCard(dlq, true);
}

const SHOWN_EVENTS = 100;

function liveCard(box) {
  const mine = generation;
  let after = 0;
  const tbody = el('tbody');
  const note = el('p', { class: 'muted' }, 'Waiting for the first stream record…');
  box.replaceChildren(note, el('table', { id: 'events' }, el('thead', {}, el('tr', {},
    ['#', 'at (UTC)', 'stream', 'version', 'events', 'correlation', 'principal', 'delivered to', 'data']
      .map(h => el('th', {}, h)))), tbody));
  const poll = async () => {
    try {
      const page = await getJson('/events?after=' + after + '&max=200');
      if (mine !== generation) return;
      note.textContent = page.lastSeq === 0 ? 'Waiting for the first stream record…'
        : 'The last ' + page.capacity + ' stream records at most, newest first; refreshed every second.';
      for (const entry of page.entries) {
        after = Math.max(after, entry.seq);
        tbody.insertBefore(eventRow(entry), tbody.firstChild);
      }
      while (tbody.children.length > SHOWN_EVENTS) tbody.removeChild(tbody.lastChild);
    } catch (error) {
      note.replaceChildren(failure(error));
    }
  };
  every(1000, poll);
}

function eventRow(entry) {
  const isSaga = entry.events.some(e => e.type && e.type.startsWith('SagaOrchestrator'));
  const stream = entry.aggregateType
    ? [el('a', { href: '#/stream/' + encodeURIComponent(entry.aggregateType) + '/'
        + encodeURIComponent(entry.aggregateId), title: entry.streamId }, entry.aggregateType + '-' + short(entry.aggregateId)),
       isSaga ? [' ', link('timeline', 'saga', entry.aggregateId)] : null]
    : [entry.table, ' ', el('code', {}, entry.streamId)];
  const versions = entry.version === entry.lastVersion ? entry.version : entry.version + '–' + entry.lastVersion;
  return el('tr', { class: 'fresh', 'data-seq': entry.seq },
    el('td', { class: 'num' }, entry.seq),
    el('td', { class: 'mono' }, time(entry.at)),
    el('td', {}, stream),
    el('td', { class: 'num' }, entry.aggregateType ? versions : entry.eventName),
    el('td', {}, entry.events.map((e, i) => [i ? ', ' : '', e.type])),
    el('td', { class: 'mono', title: entry.correlationId || '' }, short(entry.correlationId)),
    el('td', {}, entry.principal || ''),
    el('td', { class: 'deliveries' }, Object.entries(entry.deliveries).map(([mapping, outcome]) =>
      el('span', { class: 'status ' + outcome, title: mapping + ': ' + outcome },
        mapping.replace(/Function-.*$/, '')))),
    el('td', {}, entry.events.map(e => jsonBlock(e.data))));
}

function sagasPage() {
  const box = el('div');
  show(el('h1', {}, 'Sagas'), box);
  sagasCard(box, 200);
}

function sagasCard(box, limit) {
  const mine = generation;
  every(2000, async () => {
    try {
      const sagas = await getJson('/sagas');
      if (mine !== generation) return;
      const recent = sagas.recent.slice(0, limit);
      const compact = limit < 50;
      const headers = compact ? ['saga', 'type', 'status', 'last change (UTC)']
        : ['saga', 'type', 'status', 'started (UTC)', 'last change (UTC)', 'version', 'started by'];
      box.replaceChildren(
        recent.length ? table(headers, recent.map(s => el('tr', { 'data-saga-id': s.sagaId },
          el('td', {}, el('a', { href: '#/saga/' + encodeURIComponent(s.sagaId), title: s.sagaId }, short(s.sagaId))),
          el('td', {}, s.sagaType), el('td', {}, status(s.status)),
          compact ? null : el('td', { class: 'mono' }, time(s.startedAt)),
          el('td', { class: 'mono' }, compact ? clock(s.updatedAt) : time(s.updatedAt)),
          compact ? null : el('td', { class: 'num' }, s.version),
          compact ? null : el('td', { class: 'mono', title: s.causationId || '' }, short(s.causationId)))),
        { id: 'recent-sagas' })
          : el('p', { class: 'muted' }, 'No saga among the recent stream records.'),
        el('h3', {}, 'Past due'),
        sagas.pastDue.length ? table(['saga', 'type', 'step', 'awaiting command', 'due (UTC)', 'overdue', 'attempt'],
          sagas.pastDue.map(p => el('tr', {}, el('td', {}, link(p.sagaId, 'saga', p.sagaId)), el('td', {}, p.sagaType),
            el('td', {}, p.step), el('td', { class: 'mono' }, short(p.awaitingCommandId)),
            el('td', { class: 'mono' }, time(p.dueAt)), el('td', { class: 'num' }, duration(p.overdueMillis)),
            el('td', { class: 'num' }, p.attempt))), { id: 'past-due' })
          : el('p', { class: 'muted' }, 'No saga is past due.'));
    } catch (error) {
      box.replaceChildren(failure(error));
    }
  });
}

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return ms + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return (ms / 60000).toFixed(1) + ' min';
  return (ms / 3600000).toFixed(1) + ' h';
}

function subscriptionsCard(box, compact) {
  const mine = generation;
  // every 5 s: the lag is one Scan of the events table (see SubscriptionLags), not a cheap read
  every(5000, async () => {
    try {
      const lags = await getJson('/subscriptions');
      if (mine !== generation) return;
      const headers = compact ? ['subscriber', 'behind', 'age', 'last handled']
        : ['subscriber', 'events behind', 'streams behind', 'oldest pending (UTC)', 'age', 'last handled (UTC)'];
      box.replaceChildren(lags.length
        ? table(headers, lags.map(l => el('tr', { 'data-subscriber': l.subscriber },
            el('td', {}, l.subscriber), el('td', { class: 'num' }, l.eventsBehind),
            compact ? null : el('td', { class: 'num' }, l.streamsBehind),
            compact ? null : el('td', { class: 'mono' }, time(l.oldestPendingAt)),
            el('td', { class: 'num' }, l.eventsBehind ? duration(l.ageMillis) : '—'),
            el('td', { class: 'mono' }, compact ? clock(l.lastHandledAt) : time(l.lastHandledAt)))), { id: 'lag' })
        : el('p', { class: 'muted' }, 'No subscriber.'));
    } catch (error) {
      box.replaceChildren(failure(error));
    }
  });
}

function queuesCard(box, compact) {
  const mine = generation;
  every(3000, async () => {
    try {
      const queues = await getJson('/dlq');
      if (mine !== generation) return;
      box.replaceChildren(queues.length ? table(compact ? ['queue', 'visible', 'in flight', '']
        : ['queue', 'source', 'visible', 'in flight', ''],
        queues.map(q => el('tr', { 'data-queue': q.queue },
          el('td', { title: 'from ' + q.source }, q.queue), compact ? null : el('td', {}, q.source),
          el('td', { class: 'num' }, q.visible), el('td', { class: 'num' }, q.inFlight),
          el('td', {}, link('show', 'dlq', q.queue)))), { id: 'queues' })
        : el('p', { class: 'muted' }, 'No dead-letter queue in this template.'));
    } catch (error) {
      box.replaceChildren(failure(error));
    }
  });
}

function deadLettersPage(queue) {
  const box = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
  show(el('h1', {}, 'Dead letters of ', queue), el('p', { class: 'muted' },
    'A peek at up to 10 messages: nothing is deleted. Redrive with bin/nosqles dlq redrive ', queue, ' --local.'), box);
  getJson('/dlq/' + encodeURIComponent(queue)).then(letters => {
    box.replaceChildren(letters.length ? table(['SQS message', 'kind', 'saga', 'message id', 'type', 'target',
      'sent (UTC)', 'receives', 'batch', 'body'], letters.map(d => el('tr', { 'data-kind': d.kind },
      el('td', { class: 'mono', title: d.sqsMessageId }, short(d.sqsMessageId)), el('td', {}, d.kind),
      el('td', {}, d.sagaId ? link(short(d.sagaId), 'saga', d.sagaId) : ''),
      el('td', { class: 'mono', title: d.messageId || '' }, short(d.messageId)), el('td', {}, d.type || ''),
      el('td', {}, d.target || ''), el('td', { class: 'mono' }, time(d.sentAt)),
      el('td', { class: 'num' }, d.receiveCount),
      el('td', { class: 'mono' }, d.batch ? [d.batch.function, ' ', d.batch.shardId, ' ', d.batch.startSequenceNumber,
        '…', d.batch.endSequenceNumber, ' (', d.batch.batchSize, ')'] : ''),
      el('td', {}, jsonBlock(d.body)))), { id: 'dead-letters' })
      : el('p', { class: 'muted' }, 'The queue is empty.'));
  }).catch(error => box.replaceChildren(failure(error)));
}

// ---- a stream's history ----

function streamPage(type, id) {
  const box = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
  const form = el('form', { class: 'inline' }, 'At version ', el('input', { name: 'atVersion', size: 5 }),
    ' or as of ', el('input', { name: 'asOf', size: 24, placeholder: '2026-01-31T12:00:00Z' }), ' ',
    el('button', {}, 'Show'));
  show(el('h1', {}, 'History of ', el('code', {}, type + '-' + id)), form, box);
  const load = (query) => Promise.all([
    getJson('/streams/' + encodeURIComponent(type) + '/' + encodeURIComponent(id) + query),
    getJson('/sagas').catch(() => ({ recent: [] }))
  ]).then(([history, sagas]) => renderHistory(box, history, sagas.recent))
    .catch(error => box.replaceChildren(failure(error)));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of ['atVersion', 'asOf']) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    load(params.toString() ? '?' + params : '');
  });
  load('');
}

function renderHistory(box, history, sagas) {
  const started = new Map(sagas.filter(s => s.causationId).map(s => [s.causationId, s]));
  box.replaceChildren(
    el('dl', { class: 'facts' }, el('dt', {}, 'last version'), el('dd', {}, history.lastVersion),
      el('dt', {}, 'events shown'), el('dd', {}, history.entries.length)),
    table(['version', 'type', 'schema', 'recorded (UTC)', 'event id', 'correlation', 'causation', 'message',
      'principal', 'data', 'saga'], history.entries.map(h => {
      const saga = started.get(h.eventId);
      return el('tr', { 'data-version': h.version, 'data-type': h.type, class: h.pseudo ? 'pseudo' : null },
        el('td', { class: 'num' }, h.version), el('td', {}, h.type, h.pseudo ? ' (pseudo)' : ''),
        el('td', { class: 'num' }, h.schemaVersion), el('td', { class: 'mono' }, time(h.recordedAt)),
        el('td', { class: 'mono', title: h.eventId || '' }, short(h.eventId)),
        el('td', { class: 'mono', title: h.correlationId || '' }, short(h.correlationId)),
        el('td', { class: 'mono', title: h.causationId || '' }, short(h.causationId)),
        el('td', { class: 'mono', title: h.messageId || '' }, short(h.messageId)),
        el('td', {}, h.principal || ''), el('td', {}, jsonBlock(h.data)),
        el('td', {}, saga ? link(saga.sagaType + ' ' + short(saga.sagaId), 'saga', saga.sagaId) : ''));
    }), { id: 'history' }));
}

// ---- a saga's timeline as a sequence diagram ----

function sagaPage(sagaId) {
  const box = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
  show(el('h1', {}, 'Saga ', el('code', {}, sagaId)), box);
  const mine = generation;
  let shown = '';
  every(2000, async () => {
    try {
      const timeline = await getJson('/sagas/' + encodeURIComponent(sagaId));
      const key = JSON.stringify(timeline);
      if (mine !== generation || key === shown) return;
      shown = key;
      renderTimeline(box, timeline);
    } catch (error) {
      box.replaceChildren(failure(error));
    }
  });
}

const ARROWS = new Set(['COMMAND_SENT', 'COMMAND_RESENT', 'REPLY']);
const LANE_GAP = 250, LEFT = 290, TOP = 56, ROW = 46, GUTTER = 150;

function renderTimeline(box, t) {
  const lanes = [...(t.lanes || [])];
  const laneOf = name => {
    if (!name) return 0;
    let i = lanes.indexOf(name);
    if (i < 0) { lanes.push(name); i = lanes.length - 1; }
    return i;
  };
  t.entries.forEach(e => { laneOf(e.from); laneOf(e.to); });
  if (!lanes.length) lanes.push('orchestrator');
  const x = i => LEFT + i * LANE_GAP;
  const width = x(lanes.length - 1) + LANE_GAP / 2 + 40;
  const height = TOP + (t.entries.length + 1) * ROW;
  const diagram = svg('svg', { width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img',
    'aria-label': 'sequence diagram of saga ' + t.sagaId, id: 'timeline-diagram' },
    svg('defs', {}, ['arrow', 'reply', 'resent'].map(kind => svg('marker', { id: 'head-' + kind, viewBox: '0 0 10 10',
      refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: kind === 'reply' ? '#7c3aed' : kind === 'resent' ? '#b45309'
        : '#2563eb' })))),
    lanes.map((lane, i) => svg('g', { class: 'lane', 'data-lane': lane },
      svg('line', { class: 'lifeline', x1: x(i), y1: TOP - 14, x2: x(i), y2: height - 8 }),
      svg('g', { class: 'lane-head' }, svg('rect', { x: x(i) - 95, y: 8, width: 190, height: 28, rx: 6 }),
        svg('text', { x: x(i), y: 27, 'text-anchor': 'middle' }, lane)))),
    t.entries.map((e, row) => entryShape(e, row, laneOf, x)));
  box.replaceChildren(
    el('dl', { class: 'facts', id: 'saga-facts' },
      el('dt', {}, 'type'), el('dd', {}, t.sagaType),
      el('dt', {}, 'status'), el('dd', { id: 'saga-status', 'data-status': t.status }, status(t.status)),
      el('dt', {}, 'started (UTC)'), el('dd', { class: 'mono' }, time(t.startedAt)),
      el('dt', {}, 'ended (UTC)'), el('dd', { class: 'mono' }, t.endedAt ? time(t.endedAt) : '—')),
    el('div', { class: 'diagram' }, diagram),
    el('h2', {}, 'Entries'),
    table(['at (UTC)', 'version', 'kind', 'step', 'from', 'to', 'message id', 'deadline (UTC)', 'detail'],
      t.entries.map(e => el('tr', { 'data-kind': e.kind, 'data-step': e.step || '' },
        el('td', { class: 'mono' }, time(e.at)), el('td', { class: 'num' }, e.version), el('td', {}, e.kind),
        el('td', {}, e.step || ''), el('td', {}, e.from || ''), el('td', {}, e.to || ''),
        el('td', { class: 'mono' }, e.messageId || ''), el('td', { class: 'mono' }, time(e.deadline)),
        el('td', {}, e.detail || ''))), { id: 'timeline-entries' }));
}

function entryShape(e, row, laneOf, x) {
  const y = TOP + 14 + row * ROW;
  const common = { 'data-kind': e.kind, 'data-step': e.step || '', 'data-message-id': e.messageId || '',
    'data-from': e.from || '', 'data-to': e.to || '' };
  const tip = svg('title', {}, [e.kind, e.step, e.from && e.to ? e.from + ' → ' + e.to : e.from || e.to,
    e.messageId ? 'message ' + e.messageId : null, e.detail].filter(Boolean).join('\n'));
  const stamp = svg('text', { class: 'time', x: 8, y: y + 4 }, clock(e.at) + '  v' + e.version);
  const from = laneOf(e.from), to = laneOf(e.to);
  let shape;
  if (ARROWS.has(e.kind) && e.from && e.to && from !== to) {
    const kind = e.kind === 'REPLY' ? 'reply' : e.kind === 'COMMAND_RESENT' ? 'resent' : 'arrow';
    const classes = ['entry', 'arrow', kind === 'arrow' ? 'command' : kind];
    if (e.detail && /compensat/i.test(e.detail)) classes.push('compensation');
    const x1 = x(from), x2 = x(to), mid = (x1 + x2) / 2;
    // the step and the detail's first word (the command's type, the reply's outcome); the whole detail is in the
    // tooltip and the table below
    const word = e.detail ? String(e.detail).split(/[\s:;,]/)[0] : '';
    const label = (e.kind === 'REPLY' ? 'reply · ' : e.kind === 'COMMAND_RESENT' ? 'resent · ' : '')
      + (e.step || e.kind) + (word ? ' · ' + word : '');
    shape = svg('g', Object.assign({ class: classes.join(' ') }, common), tip,
      svg('line', { x1, y1: y, x2: x2 + (x2 > x1 ? -2 : 2), y2: y, 'marker-end': 'url(#head-' + kind + ')' }),
      svg('text', { class: 'label', x: mid, y: y - 6, 'text-anchor': 'middle' },
        clip(label, Math.max(24, Math.floor(Math.abs(x2 - x1) / 6.6)))),
      svg('text', { class: 'sub', x: mid, y: y + 14, 'text-anchor': 'middle' },
        e.messageId ? 'msg ' + short(e.messageId) : ''));
  } else {
    const lane = e.kind === 'COMMAND_HANDLED' ? laneOf(e.to || e.from) : laneOf(e.from || e.to);
    const kindClass = { COMMAND_HANDLED: 'handled', DEADLINE_EXPIRED: 'deadline', SWEEPER: 'sweeper',
      COMPENSATING: 'compensating', COMPLETED: 'end-COMPLETED', FAILED: 'end-FAILED' }[e.kind] || 'note';
    const label = (e.kind === 'DEADLINE_EXPIRED' || e.kind === 'SWEEPER' ? '◆ ' : '')
      + e.kind.replace(/_/g, ' ').toLowerCase() + (e.step ? ' · ' + e.step : '')
      + (e.detail && e.detail !== e.kind ? ' · ' + e.detail : '');
    const text = clip(label, 44);
    const w = Math.max(90, Math.min(LANE_GAP * 1.6, text.length * 6.4 + 16));
    const cx = Math.max(x(lane), GUTTER + w / 2);
    shape = svg('g', Object.assign({ class: 'entry mark ' + kindClass }, common), tip,
      svg('rect', { x: cx - w / 2, y: y - 13, width: w, height: 22, rx: 5 }),
      svg('text', { x: cx, y: y + 2, 'text-anchor': 'middle' }, text));
  }
  const parts = [stamp, shape];
  if (e.deadline) {
    const lx = x(laneOf(e.from || 'orchestrator'));
    parts.push(svg('g', { class: 'deadline', 'data-deadline': e.deadline },
      svg('line', { class: 'deadline-tick', x1: lx - 6, y1: y + 14, x2: lx + 6, y2: y + 14 }),
      svg('text', { class: 'deadline-text', x: lx - 10, y: y + 18, 'text-anchor': 'end' },
        'deadline ' + clock(e.deadline))));
  }
  return svg('g', { class: 'row' }, parts);
}

function clip(text, n) {
  return text.length > n ? text.slice(0, n - 1) + '…' : text;
}

// ---- lookups ----

document.getElementById('stream-form').addEventListener('submit', event => {
  event.preventDefault();
  const f = event.target.elements;
  location.hash = '#/stream/' + encodeURIComponent(f.type.value.trim()) + '/' + encodeURIComponent(f.id.value.trim());
});
document.getElementById('saga-form').addEventListener('submit', event => {
  event.preventDefault();
  location.hash = '#/saga/' + encodeURIComponent(event.target.elements.sagaId.value.trim());
});
window.addEventListener('hashchange', route);
route();
