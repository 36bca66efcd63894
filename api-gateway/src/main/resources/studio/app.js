// Dialectica Studio: sign in, browse and search concepts, edit one on the canvas, find paths in the graph, ask Claude
// for theses or a synthesis of several concepts and watch the job live; a synthesis' proposal is previewed on the
// canvas and saved as a new concept. Plain ES modules served by the gateway; every call goes to the same origin (/api, /ws/jobs, /auth).
import { api, ApiError, setToken, whenUnauthorized, claims, download } from './api.js';
import { createCanvas, RELATION_STYLES } from './canvas.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'dialectica.token';

const state = {
  token: null, user: null,
  concept: null, etag: null, selected: null,
  consistencyToken: null, tradition: null,
  socket: null,
  jobs: new Map(), // job id -> what is followed: {id, kind, view, conceptId, expected, status, progress}
  known: new Map(), // concept id -> summary, from the lists on the left (names for paths, choices for a synthesis)
  proposal: null, // the synthesis whose proposed concept is shown
  preview: null, // that proposal as drawn: categories with ids and positions (dragging one moves it here)
};
let canvas;

// ---- messages -------------------------------------------------------------------------------------------------

function report(error) {
  const box = $('messages');
  box.replaceChildren();
  const close = button('Dismiss', () => box.replaceChildren());
  close.setAttribute('aria-label', 'Dismiss the message');
  box.append(close, text('p', error instanceof Error ? error.message : String(error)));
  if (!(error instanceof ApiError)) console.error(error);
}
function clearMessages() { $('messages').replaceChildren(); }
function status(message) { $('status').textContent = message; }

function text(tag, content, className) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) el.className = className;
  return el;
}
function button(label, onClick, className) {
  const b = text('button', label, className);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
/** Search highlights are HTML with <em>; everything else in them is escaped. */
function highlighted(html) {
  const span = document.createElement('span');
  const escaped = html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  span.innerHTML = escaped.replace(/&lt;em&gt;/g, '<em>').replace(/&lt;\/em&gt;/g, '</em>');
  return span;
}
function versionOf(etag) { return etag ? etag.replace(/^W\//, '').replace(/"/g, '') : '?'; }

// ---- sign in ----------------------------------------------------------------------------------------------------

async function start() {
  whenUnauthorized(() => signOut('Your sign-in has expired or was refused: please sign in again.'));
  const saved = sessionStorage.getItem(TOKEN_KEY);
  const c = saved && claims(saved);
  if (c && c.exp * 1000 > Date.now() + 30_000) {
    await enter(saved);
  } else {
    await showSignIn();
  }
}

async function showSignIn(message) {
  $('studio').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  if (message) report(message);
  let devTokens = false;
  try {
    devTokens = (await api('GET', '/auth/config')).body.devTokens === true;
  } catch (e) {
    report(e);
  }
  $('dev-sign-in').hidden = !devTokens;
  $('token-sign-in').hidden = devTokens;
  (devTokens ? $('dev-user') : $('pasted-token')).focus();
}

async function enter(token) {
  const c = claims(token);
  if (!c || !c.sub) throw new Error('That is not a JWT with a subject (sub).');
  state.token = token;
  state.user = c.upn || c.sub;
  setToken(token);
  sessionStorage.setItem(TOKEN_KEY, token);
  $('sign-in').hidden = true;
  $('studio').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = state.user;
  if (!canvas) {
    canvas = createCanvas($('canvas'), $('tooltip'), { onMoved: moved, onSelect: select });
  }
  await Promise.all([loadRelationTypes(), listConcepts()]);
  const m = location.hash.match(/^#\/concepts\/([0-9a-f-]{36})$/);
  if (m) await openConcept(m[1]);
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  setToken(null);
  closeSocket();
  state.concept = null;
  state.proposal = null;
  state.preview = null;
  $('syn-result').hidden = true;
  $('syn-job').hidden = true;
  location.hash = '';
  showSignIn(message);
}

$('dev-sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  try {
    const res = await api('POST', '/auth/dev-token', { body: { user: $('dev-user').value.trim() } });
    await enter(res.body.token);
    status(`Signed in as ${state.user}.`);
  } catch (err) {
    report(err);
  }
});
$('token-sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  try {
    await enter($('pasted-token').value.trim());
  } catch (err) {
    report(err);
  }
});
$('sign-out').addEventListener('click', () => signOut());

// ---- browse and search ------------------------------------------------------------------------------------------

function conceptItem(summary, extra) {
  const li = document.createElement('li');
  const b = button('', () => openConcept(summary.id), 'item');
  b.append(text('span', summary.name));
  const meta = [summary.tradition, summary.visibility === 'PRIVATE' ? 'private' : null,
    summary.owner !== state.user ? `by ${summary.owner}` : null].filter(Boolean).join(' · ');
  if (meta) b.append(document.createElement('br'), text('small', meta));
  if (extra) b.append(extra);
  b.dataset.conceptId = summary.id;
  li.append(b);
  return li;
}

async function listConcepts() {
  try {
    const [own, all] = await Promise.all([
      api('GET', `/api/concepts?${new URLSearchParams({ owner: state.user, size: '100', sort: '-updatedAt' })}`),
      api('GET', '/api/concepts?size=50&sort=-updatedAt'),
    ]);
    const mine = own.body.items || [];
    const others = (all.body.items || []).filter((c) => c.owner !== state.user);
    $('mine').replaceChildren(...(mine.length ? mine.map((c) => conceptItem(c)) : [text('li', 'None yet: create one above.', 'note')]));
    $('public').replaceChildren(...(others.length ? others.map((c) => conceptItem(c)) : [text('li', 'None.', 'note')]));
    state.known = new Map([...mine, ...others].map((c) => [c.id, c]));
    fillSynthesisChoices([...mine, ...others]);
    if (state.concept) fillPathConcepts();
  } catch (e) {
    report(e);
  }
}

async function search() {
  const q = $('q').value.trim();
  const params = new URLSearchParams({ size: '20' });
  if (q) params.set('q', q);
  if (state.tradition) params.set('tradition', state.tradition);
  const headers = state.consistencyToken ? { 'X-Consistency-Token': state.consistencyToken } : {};
  try {
    let res;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await api('GET', `/api/search?${params}`, { headers });
        break;
      } catch (e) {
        // read-your-writes: the index has not applied this user's last change yet; it says when to ask again
        if (!(e.status === 504 && attempt < 4 && e.problem && /projection-behind/.test(e.problem.type || ''))) throw e;
        status('Waiting for the search index to catch up with your last change…');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    status('');
    renderResults(res.body, q);
  } catch (e) {
    if (e.status === 504 && e.problem && /projection-behind/.test(e.problem.type || '')) {
      report(new Error('The search index has not caught up with your last change yet: search again in a moment.'));
    } else {
      report(e);
    }
  }
}

const FIELDS = {
  description: 'description', tradition: 'tradition', 'categories.name': 'categories',
  'categories.description': 'category descriptions', 'relations.rationale': 'rationales',
};

function renderResults(page, q) {
  const facets = (page.facets && page.facets.traditions) || [];
  $('facets').replaceChildren(...facets.map((f) => {
    const b = button(`${f.value} (${f.count})`, () => {
      state.tradition = state.tradition === f.value ? null : f.value;
      search();
    });
    b.setAttribute('aria-pressed', String(state.tradition === f.value));
    return b;
  }));
  if (state.tradition && !facets.some((f) => f.value === state.tradition)) {
    const b = button(`${state.tradition} ✕`, () => { state.tradition = null; search(); });
    b.setAttribute('aria-pressed', 'true');
    $('facets').prepend(b);
  }
  const results = $('results');
  results.replaceChildren(text('p', `${page.total} result${page.total === 1 ? '' : 's'}${q ? ` for “${q}”` : ''}`, 'note'));
  const list = document.createElement('ul');
  list.className = 'list';
  for (const item of page.items || []) {
    const snippets = document.createElement('div');
    snippets.className = 'snippet';
    for (const [field, fragments] of Object.entries(item.highlights || {})) {
      if (field === 'name') continue;
      const line = document.createElement('div');
      line.append(text('small', `${FIELDS[field] || field}: `), highlighted(fragments.join(' … ')));
      snippets.append(line);
    }
    const li = conceptItem(item, snippets);
    if (item.highlights && item.highlights.name) {
      li.querySelector('button span').replaceWith(highlighted(item.highlights.name[0]));
    }
    li.classList.add('result');
    list.append(li);
  }
  results.append(list);
}

$('search').addEventListener('submit', (e) => { e.preventDefault(); clearMessages(); search(); });
let suggestTimer;
$('q').addEventListener('input', () => {
  clearTimeout(suggestTimer);
  const prefix = $('q').value.trim();
  if (prefix.length < 2) return;
  suggestTimer = setTimeout(async () => {
    try {
      const res = await api('GET', `/api/search/suggest?${new URLSearchParams({ prefix, size: '8' })}`);
      $('suggestions').replaceChildren(...(res.body.items || []).map((s) => Object.assign(document.createElement('option'), { value: s.name })));
    } catch {
      // suggestions are a convenience: a failure shows nothing
    }
  }, 200);
});

$('new-concept').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  const names = $('nc-categories').value.split('\n').map((s) => s.trim()).filter(Boolean);
  const radius = 80 + 20 * names.length;
  const body = {
    name: $('nc-name').value.trim(),
    tradition: $('nc-tradition').value.trim() || null,
    description: $('nc-description').value.trim() || null,
    visibility: $('nc-visibility').value,
    categories: names.map((name, i) => ({
      name, weight: 0.5,
      x: Math.round(radius * Math.cos((2 * Math.PI * i) / names.length - Math.PI / 2)),
      y: Math.round(radius * Math.sin((2 * Math.PI * i) / names.length - Math.PI / 2)),
    })),
  };
  try {
    const res = await api('POST', '/api/concepts', { body });
    state.consistencyToken = res.headers.get('X-Consistency-Token') || state.consistencyToken;
    e.target.reset();
    $('new-concept-box').open = false;
    status(`Created “${res.body.name}”.`);
    await listConcepts();
    await openConcept(res.body.id);
  } catch (err) {
    report(err);
  }
});

// ---- maps in and out: import a file, export the open concept (docs/formats.md) -----------------------------------

const FORMAT_OF_EXTENSION = { canvas: 'canvas', graphml: 'graphml', xml: 'graphml', argdown: 'argdown', ad: 'argdown', json: 'aif' };
const CONTENT_TYPE_OF_FORMAT = { canvas: 'application/json', graphml: 'application/graphml+xml', argdown: 'text/plain', aif: 'application/json' };

$('import-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  const file = $('im-file').files[0];
  if (!file) return;
  const format = $('im-format').value || FORMAT_OF_EXTENSION[file.name.split('.').pop().toLowerCase()];
  if (!format) {
    report(new Error(`Which format is “${file.name}”? Choose one under Format.`));
    $('im-format').focus();
    return;
  }
  try {
    const res = await api('POST', `/api/concepts/import?format=${format}`,
      { raw: await file.text(), contentType: CONTENT_TYPE_OF_FORMAT[format] });
    state.consistencyToken = res.headers.get('X-Consistency-Token') || state.consistencyToken;
    e.target.reset();
    $('import-box').open = false;
    status(`Imported “${res.body.name}” from ${file.name}.`);
    await listConcepts();
    await openConcept(res.body.id);
  } catch (err) {
    report(err);
  }
});

// the file is fetched with the bearer token (a plain link could not send it) and offered as a download
$('export').addEventListener('click', async () => {
  clearMessages();
  const format = $('export-format').value;
  try {
    const { blob, filename } = await download(`/api/concepts/${state.concept.id}/export?format=${format}`);
    const link = $('export-link');
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.textContent = `Save ${filename}`;
    link.hidden = false;
    link.click();
    status(`Exported “${state.concept.name}” as ${filename}.`);
  } catch (err) {
    report(err);
  }
});

// ---- the concept on the canvas ----------------------------------------------------------------------------------

async function loadRelationTypes() {
  try {
    const res = await api('GET', '/api/relation-types');
    const types = res.body || [];
    $('ar-type').replaceChildren(...types.map((t) => Object.assign(document.createElement('option'), {
      value: t.code, textContent: t.code.toLowerCase().replace(/_/g, ' '), title: t.description || '',
    })));
  } catch (e) {
    report(e);
  }
  const legend = $('legend');
  legend.replaceChildren(text('span', 'Arrows: '));
  for (const [type, s] of Object.entries(RELATION_STYLES)) {
    const item = text('span', `${type.toLowerCase().replace(/_/g, ' ')} `);
    item.style.color = s.color;
    item.style.marginRight = '8px';
    item.title = `${s.line} line`;
    legend.append(item);
  }
}

async function openConcept(id, { same = false } = {}) {
  try {
    const res = await api('GET', `/api/concepts/${id}`);
    const sameConcept = same || (state.concept && state.concept.id === id);
    state.preview = null;
    state.concept = res.body;
    state.etag = res.etag;
    if (location.hash !== `#/concepts/${id}`) history.replaceState(null, '', `#/concepts/${id}`);
    render(sameConcept);
    if (!sameConcept) {
      for (const [jobId, job] of state.jobs) if (job.kind === 'theses') state.jobs.delete(jobId);
      $('job').hidden = true;
      $('path-result').replaceChildren();
      loadTheses();
    }
    loadGraphViews(id);
  } catch (e) {
    report(e);
  }
}

function canEdit() {
  return state.concept && state.concept.owner === state.user;
}

function render(sameConcept) {
  const c = state.concept;
  $('concept-title').textContent = c.name;
  $('concept-meta').textContent = [c.tradition, c.visibility.toLowerCase(), `by ${c.owner}`, `version ${c.version}`,
    c.qualityScore != null ? `quality ${c.qualityScore}` : null].filter(Boolean).join(' · ');
  $('fit').disabled = false;
  $('edit-details').disabled = !canEdit();
  $('export').disabled = false;
  $('export-format').disabled = false;
  if (!sameConcept) $('export-link').hidden = true;
  $('reload').disabled = false;
  $('inspector').hidden = false;
  $('proposal-actions').hidden = true;
  const spread = canvas.draw(c, sameConcept);
  const notes = [];
  if (spread) notes.push(`${spread} categories share a position (never placed): they are spread around it until you drag them.`);
  if (!canEdit()) notes.push(`Read only: this concept belongs to ${c.owner}.`);
  if (!c.categories.length) notes.push('No categories yet: add one on the right.');
  $('canvas-note').textContent = notes.join(' ');
  $('canvas-note').hidden = notes.length === 0;
  for (const form of ['add-category', 'add-relation', 'category-form']) {
    for (const el of $(form).elements) el.disabled = !canEdit();
  }
  $('rel-remove').disabled = !canEdit();

  const names = c.categories.map((cat) => Object.assign(document.createElement('option'), { value: cat.name, textContent: cat.name }));
  $('ar-from').replaceChildren(...names.map((o) => o.cloneNode(true)));
  $('ar-to').replaceChildren(...names);
  if (names.length > 1) $('ar-to').selectedIndex = 1;
  const from = $('path-from').value;
  $('path-from').replaceChildren(...c.categories.map((cat) => Object.assign(document.createElement('option'), { value: cat.id, textContent: cat.name })));
  if (c.categories.some((cat) => cat.id === from)) $('path-from').value = from;
  fillPathConcepts();

  $('category-list').replaceChildren(...c.categories.map((cat) => {
    const li = document.createElement('li');
    const b = button('', () => canvas.select(cat.id), 'item');
    b.append(text('span', cat.name), text('small', ` weight ${cat.weight} · at ${Math.round(cat.x)}, ${Math.round(cat.y)}`));
    b.dataset.categoryId = cat.id;
    li.append(b);
    return li;
  }));
  $('relation-list').replaceChildren(...c.relations.map((r) => {
    const li = document.createElement('li');
    const b = button(`${r.from} → ${r.type.toLowerCase().replace(/_/g, ' ')} → ${r.to}`, () => canvas.select(r.id), 'item');
    b.title = r.rationale || 'no rationale given';
    b.dataset.relationId = r.id;
    li.append(b);
    return li;
  }));
  select(state.selected && canvas.cy.getElementById(state.selected.id).nonempty() ? state.selected : null);
}

function select(selection) {
  if (!state.concept) selection = null; // a proposal on the canvas: nothing to edit yet
  state.selected = selection;
  for (const b of document.querySelectorAll('#category-list button, #relation-list button')) {
    b.setAttribute('aria-current', String(!!selection && (b.dataset.categoryId === selection.id || b.dataset.relationId === selection.id)));
  }
  $('selection-empty').hidden = !!selection;
  $('category-form').hidden = !selection || selection.kind !== 'category';
  $('relation-box').hidden = !selection || selection.kind !== 'relation';
  if (!selection) return;
  if (selection.kind === 'category') {
    const cat = state.concept.categories.find((x) => x.id === selection.id);
    const pos = canvas.cy.getElementById(selection.id).position();
    $('cat-name').textContent = cat.name;
    $('cat-x').value = Math.round(pos.x);
    $('cat-y').value = Math.round(pos.y);
    $('cat-weight').value = cat.weight;
  } else {
    const r = state.concept.relations.find((x) => x.id === selection.id);
    $('rel-text').textContent = `${r.from} ${r.type.toLowerCase().replace(/_/g, ' ')} ${r.to} (weight ${r.weight})`;
    $('rel-rationale').textContent = r.rationale ? `Rationale: ${r.rationale}` : 'No rationale given.';
  }
}

/**
 * A change to the open concept, sent with If-Match: the ETag the concept was loaded with. A 412 (somebody changed
 * it meanwhile) opens the conflict dialog instead of overwriting; any other refusal is shown and the canvas redrawn
 * from the server.
 */
async function change(what, request) {
  clearMessages();
  const id = state.concept.id;
  try {
    const res = await request(state.etag);
    state.consistencyToken = res.headers.get('X-Consistency-Token') || state.consistencyToken;
    await openConcept(id, { same: true });
    status(`${what}: saved (version ${versionOf(state.etag)}).`);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 412) {
      conflict(what, request);
    } else {
      report(e);
      await openConcept(id, { same: true });
    }
    return false;
  }
}

function conflict(what, request) {
  const dialog = $('conflict');
  $('conflict-text').textContent = `You were editing version ${versionOf(state.etag)} of “${state.concept.name}”, `
    + `and somebody (or another window) has changed it since. Your change (${what}) was not saved. `
    + 'Load the current version and drop your change, or apply your change on top of the current version.';
  const id = state.concept.id;
  const finish = async (mine) => {
    dialog.close();
    await openConcept(id, { same: true });
    if (mine) await change(what, request);
    else status(`Loaded version ${versionOf(state.etag)}; your change (${what}) was dropped.`);
  };
  $('conflict-theirs').onclick = () => finish(false);
  $('conflict-mine').onclick = () => finish(true);
  dialog.showModal();
  $('conflict-theirs').focus();
}

function moved(categoryId, position) {
  if (state.preview) {
    // arranging a proposal before it is saved: the positions go with it
    const cat = state.preview.categories.find((x) => x.id === categoryId);
    if (cat) Object.assign(cat, position);
    return;
  }
  if (!canEdit()) {
    report(new Error(`Only ${state.concept.owner} may move the categories of this concept.`));
    openConcept(state.concept.id, { same: true });
    return;
  }
  const cat = state.concept.categories.find((x) => x.id === categoryId);
  change(`moved ${cat ? cat.name : 'a category'} to ${position.x}, ${position.y}`,
    (etag) => api('PUT', `/api/concepts/${state.concept.id}/categories/${categoryId}`, { body: position, ifMatch: etag }));
}

$('category-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = state.selected.id;
  const body = { x: Number($('cat-x').value), y: Number($('cat-y').value), weight: Number($('cat-weight').value) };
  canvas.moveTo(id, { x: body.x, y: body.y });
  change(`changed ${$('cat-name').textContent}`,
    (etag) => api('PUT', `/api/concepts/${state.concept.id}/categories/${id}`, { body, ifMatch: etag }));
});

function removeSelected() {
  const sel = state.selected;
  if (!sel || !canEdit()) return;
  if (sel.kind === 'category') {
    const cat = state.concept.categories.find((x) => x.id === sel.id);
    if (!confirm(`Remove “${cat.name}” and the relations touching it from this concept?`)) return;
    state.selected = null;
    change(`removed ${cat.name}`, (etag) => api('DELETE', `/api/concepts/${state.concept.id}/categories/${sel.id}`, { ifMatch: etag }));
  } else {
    const r = state.concept.relations.find((x) => x.id === sel.id);
    if (!confirm(`Remove the relation ${r.from} ${r.type} ${r.to}?`)) return;
    state.selected = null;
    change(`removed ${r.from} ${r.type} ${r.to}`, (etag) => api('DELETE', `/api/concepts/${state.concept.id}/relations/${sel.id}`, { ifMatch: etag }));
  }
}
$('cat-remove').addEventListener('click', removeSelected);
$('rel-remove').addEventListener('click', removeSelected);

$('add-category').addEventListener('submit', async (e) => {
  e.preventDefault();
  const name = $('ac-name').value.trim();
  const body = { name, weight: Number($('ac-weight').value), ...canvas.centre() };
  if (await change(`added ${name}`, (etag) => api('POST', `/api/concepts/${state.concept.id}/categories`, { body, ifMatch: etag }))) {
    $('ac-name').value = '';
  }
});

$('add-relation').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = {
    from: $('ar-from').value, to: $('ar-to').value, type: $('ar-type').value,
    weight: Number($('ar-weight').value), rationale: $('ar-rationale').value.trim() || null,
  };
  if (await change(`added ${body.from} ${body.type} ${body.to}`,
    (etag) => api('POST', `/api/concepts/${state.concept.id}/relations`, { body, ifMatch: etag }))) {
    $('ar-rationale').value = '';
  }
});

// keyboard on the canvas: arrows move the selected category (Shift: further), Delete removes the selection
let keyMoveTimer;
$('canvas').addEventListener('keydown', (e) => {
  const sel = state.selected;
  if (!sel) return;
  if (e.key === 'Delete' || e.key === 'Backspace') {
    e.preventDefault();
    removeSelected();
    return;
  }
  const step = e.shiftKey ? 50 : 10;
  const delta = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
  if (!delta || sel.kind !== 'category' || !canEdit()) return;
  e.preventDefault();
  const node = canvas.cy.getElementById(sel.id);
  const p = node.position();
  node.position({ x: Math.round(p.x + delta[0]), y: Math.round(p.y + delta[1]) });
  clearTimeout(keyMoveTimer);
  keyMoveTimer = setTimeout(() => {
    const q = node.position();
    moved(sel.id, { x: Math.round(q.x), y: Math.round(q.y) });
  }, 500);
});

// name, tradition, description, visibility: the whole concept is sent back with PUT and If-Match (the server ignores
// its read-only fields); after a conflict, "apply my change" sends the current version with these fields
$('edit-details').addEventListener('click', () => {
  const c = state.concept;
  $('cd-name').value = c.name;
  $('cd-tradition').value = c.tradition || '';
  $('cd-description').value = c.description || '';
  $('cd-visibility').value = c.visibility;
  $('details').showModal();
  $('cd-name').focus();
});
$('cd-cancel').addEventListener('click', () => $('details').close());
$('details-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('details').close();
  const fields = {
    name: $('cd-name').value.trim(), tradition: $('cd-tradition').value.trim() || null,
    description: $('cd-description').value.trim() || null, visibility: $('cd-visibility').value,
  };
  change('edited the details', (etag) => api('PUT', `/api/concepts/${state.concept.id}`,
    { body: { ...state.concept, ...fields }, ifMatch: etag }))
    .then((saved) => { if (saved) listConcepts(); });
});

$('fit').addEventListener('click', () => canvas.fit());
$('reload').addEventListener('click', () => { clearMessages(); if (state.concept) openConcept(state.concept.id, { same: true }); });

// ---- graph-service's views of the open concept -------------------------------------------------------------------

async function loadGraphViews(id) {
  // read-your-writes: the graph answers once it has applied the last write of this studio (or says it is behind)
  const headers = state.consistencyToken ? { 'X-Consistency-Token': state.consistencyToken } : {};
  loadSimilar(id, headers);
  try {
    const [central, related] = await Promise.all([
      api('GET', `/api/graph/concepts/${id}/centrality?limit=10`, { headers }),
      api('GET', `/api/graph/concepts/${id}/related?limit=8`, { headers }),
    ]);
    if (!state.concept || state.concept.id !== id) return;
    const items = central.body.items || [];
    $('central').replaceChildren(...(items.length ? items.map((c) => {
      const li = document.createElement('li');
      const b = button('', () => canvas.select(c.categoryId), 'item');
      b.append(text('span', c.name), text('small', ` ${c.score.toFixed(3)}`));
      li.append(b);
      return li;
    }) : [text('li', 'No categories yet.', 'note')]));
    const others = related.body.items || [];
    $('related').replaceChildren(...(others.length ? others.map((r) => {
      const li = document.createElement('li');
      const b = button('', () => openConcept(r.id), 'item');
      b.append(text('span', r.name), document.createElement('br'),
        text('small', `shares ${(r.sharedCategories || []).join(', ')}${r.tradition ? ' · ' + r.tradition : ''}`));
      li.append(b);
      return li;
    }) : [text('li', 'None shares a category with it.', 'note')]));
  } catch (e) {
    const behind = e instanceof ApiError && e.status === 504;
    const note = behind ? 'The graph has not caught up with the last change yet: reload in a moment.' : e.message;
    $('central').replaceChildren(text('li', note, 'note'));
    $('related').replaceChildren();
  }
}

/** Concepts close in meaning (graph-service's embeddings): apart from the other views, so that a failure here leaves them. */
async function loadSimilar(id, headers) {
  const box = $('similar');
  try {
    const res = await api('GET', `/api/graph/concepts/${id}/similar?limit=8`, { headers });
    if (!state.concept || state.concept.id !== id) return;
    const items = res.body.items || [];
    const rows = items.map((s) => {
      const li = document.createElement('li');
      const b = button('', () => openConcept(s.id), 'item');
      b.append(text('span', s.name), text('small', ` ${Math.round(100 * s.score)} %`), document.createElement('br'),
        text('small', [s.tradition, (s.sharedCategories || []).length ? `shares ${s.sharedCategories.join(', ')}` : null]
          .filter(Boolean).join(' · ') || (s.description || '').slice(0, 80)));
      li.append(b);
      return li;
    });
    // pending: the vector of its current text is still being computed (about a second after a change)
    if (res.body.pending) rows.unshift(text('li', 'Its meaning is still being worked out after the last change: reload in a moment.', 'note'));
    else if (!rows.length) rows.push(text('li', 'None that you can see.', 'note'));
    box.replaceChildren(...rows);
  } catch (e) {
    const behind = e instanceof ApiError && e.status === 504;
    box.replaceChildren(text('li', behind ? 'The graph has not caught up with the last change yet: reload in a moment.' : e.message, 'note'));
  }
}

// ---- paths between concepts (graph-service: a shortest path between two categories) -------------------------------

/** The concepts a path may go to: the open one first, then those listed on the left. */
function fillPathConcepts() {
  if (!state.concept) return;
  const select = $('path-concept');
  const before = select.value;
  const option = (id, label) => Object.assign(document.createElement('option'), { value: id, textContent: label });
  const others = [...state.known.values()].filter((c) => c.id !== state.concept.id)
    .map((c) => option(c.id, c.owner === state.user ? c.name : `${c.name} (by ${c.owner})`));
  select.replaceChildren(option(state.concept.id, `${state.concept.name} (this concept)`), ...others);
  select.value = [...select.options].some((o) => o.value === before) ? before : state.concept.id;
  if (select.value !== select.dataset.loaded || select.value === state.concept.id) loadPathTargets();
}

async function loadPathTargets() {
  const id = $('path-concept').value;
  const target = $('path-to');
  const before = target.value;
  try {
    const categories = state.concept && id === state.concept.id
      ? state.concept.categories : (await api('GET', `/api/concepts/${id}`)).body.categories;
    if ($('path-concept').value !== id) return; // another concept was chosen meanwhile
    target.replaceChildren(...categories.map((cat) => Object.assign(document.createElement('option'), { value: cat.id, textContent: cat.name })));
    if (categories.some((cat) => cat.id === before)) target.value = before;
    else if (id === (state.concept && state.concept.id) && categories.length > 1) target.selectedIndex = 1;
    $('path-concept').dataset.loaded = id;
  } catch (e) {
    target.replaceChildren();
    report(e);
  }
}
$('path-concept').addEventListener('change', loadPathTargets);

$('find-path').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  const from = $('path-from').selectedOptions[0];
  const to = $('path-to').selectedOptions[0];
  if (!from || !to) return;
  const params = new URLSearchParams({ from: from.value, to: to.value, maxLength: $('path-max').value });
  // read-your-writes: a path over this studio's last change is found once the graph has applied it
  const headers = state.consistencyToken ? { 'X-Consistency-Token': state.consistencyToken } : {};
  const box = $('path-result');
  box.replaceChildren(text('li', 'Looking for a path…', 'note'));
  try {
    const res = await api('GET', `/api/graph/paths?${params}`, { headers });
    showPath(res.body);
  } catch (err) {
    canvas.highlight([], () => false);
    if (err instanceof ApiError && err.status === 404) {
      // graph-service's 404 here: no path within maxLength over relations of concepts the caller can see
      box.replaceChildren(text('li', `No path from ${from.textContent} to ${to.textContent} within ${params.get('maxLength')} `
        + 'steps over the concepts you can see.', 'note'));
    } else if (err instanceof ApiError && err.status === 504) {
      box.replaceChildren(text('li', 'The graph has not caught up with your last change yet: try again in a moment.', 'note'));
    } else {
      box.replaceChildren();
      report(err);
    }
  }
});

function showPath(path) {
  const names = new Map((path.categories || []).map((c) => [c.id, c.name]));
  const here = state.concept && state.concept.id;
  const conceptName = (id) => (id === here ? 'this concept' : (state.known.get(id) || {}).name || 'another concept');
  const steps = (path.steps || []).map((s, i) => {
    const li = document.createElement('li');
    li.className = 'path-step';
    li.append(text('span', `${i + 1}. ${names.get(s.fromCategoryId)} ${s.type.toLowerCase().replace(/_/g, ' ')} `
      + `${names.get(s.toCategoryId)} `));
    if (s.conceptId === here) {
      li.append(text('small', `(in ${conceptName(s.conceptId)})`));
    } else {
      li.append(button(`in ${conceptName(s.conceptId)}`, () => openConcept(s.conceptId)));
    }
    return li;
  });
  $('path-result').replaceChildren(text('li', `${path.length} step${path.length === 1 ? '' : 's'}: `
    + (path.categories || []).map((c) => c.name).join(' → '), 'note path-summary'), ...steps);
  canvas.highlight((path.categories || []).map((c) => c.id), (source, target, type) => (path.steps || []).some((s) =>
    s.conceptId === here && s.fromCategoryId === source && s.toCategoryId === target
    && s.type.toUpperCase() === String(type).toUpperCase()));
  status(`A path of ${path.length} step${path.length === 1 ? '' : 's'} is marked on the canvas.`);
}

// ---- generation, live over /ws/jobs -----------------------------------------------------------------------------

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** The elements that show a job: prefix "job" (theses, under the concept) or "syn-job" (a synthesis, on the left). */
function jobView(prefix) {
  return {
    box: $(prefix), status: $(`${prefix}-status`), phase: $(`${prefix}-phase`), tokens: $(`${prefix}-tokens`),
    progress: $(`${prefix}-progress`), cancel: $(`${prefix}-cancel`),
  };
}

$('ask-theses').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  const count = Number($('thesis-count').value);
  try {
    const res = await api('POST', `/api/concepts/${state.concept.id}/theses`, { body: { count, language: 'en' } });
    // about 120 output tokens a thesis: what the progress bar expects
    follow(res.body, 'theses', { conceptId: state.concept.id, expected: Math.max(200, count * 120) });
  } catch (err) {
    report(err);
  }
});

for (const prefix of ['job', 'syn-job']) {
  $(`${prefix}-cancel`).addEventListener('click', async () => {
    const job = [...state.jobs.values()].find((j) => j.view.box.id === prefix && !TERMINAL.has(j.status));
    if (!job) return;
    try {
      await api('DELETE', `/api/jobs/${job.id}`);
    } catch (e) {
      report(e);
    }
  });
}

function follow(job, kind, { conceptId = null, expected = 400 } = {}) {
  const view = jobView(kind === 'synthesis' ? 'syn-job' : 'job');
  // one job per view: a newer one replaces what the view showed (the older job goes on at the server)
  for (const [jobId, j] of state.jobs) if (j.view.box === view.box) state.jobs.delete(jobId);
  const tracked = { id: job.id, kind, view, conceptId, expected, status: job.status, progress: 0 };
  state.jobs.set(job.id, tracked);
  view.box.hidden = false;
  view.cancel.hidden = false;
  view.phase.textContent = '';
  view.tokens.textContent = '';
  showJob(tracked, { type: 'status', status: job.status });
  subscribe(job.id);
}

function subscribe(jobId) {
  const socket = openSocket();
  const send = () => socket.send(JSON.stringify({ action: 'subscribe', jobId }));
  if (socket.readyState === WebSocket.OPEN) send();
  else socket.addEventListener('open', send, { once: true });
}

function openSocket() {
  if (state.socket && state.socket.readyState <= WebSocket.OPEN) return state.socket;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // browsers cannot set headers on a WebSocket: the gateway reads the token from access_token on /ws/ only
  const socket = new WebSocket(`${scheme}://${location.host}/ws/jobs?access_token=${encodeURIComponent(state.token)}`);
  socket.addEventListener('message', (m) => {
    let event;
    try { event = JSON.parse(m.data); } catch { return; }
    const job = state.jobs.get(event.jobId);
    if (job) showJob(job, event);
  });
  socket.addEventListener('close', (e) => {
    if (state.socket !== socket) return;
    state.socket = null;
    const running = () => [...state.jobs.values()].filter((j) => !TERMINAL.has(j.status));
    if (e.code === 1008) {
      signOut('Your sign-in expired while a job was being followed: sign in again.');
    } else if (running().length) {
      // reconnect and subscribe again: the first event is the job's current state, nothing is lost
      setTimeout(() => { for (const j of running()) subscribe(j.id); }, 2000);
    }
  });
  state.socket = socket;
  return socket;
}

function closeSocket() {
  const s = state.socket;
  state.socket = null;
  state.jobs.clear();
  if (s) s.close();
}

function progressOf(job, event) {
  if (event.type === 'result' || event.status === 'SUCCEEDED') return 100;
  if (event.status === 'QUEUED') return 5;
  switch (event.phase) {
    case 'context': return 10;
    case 'waiting-for-rate-limit': return 12;
    case 'batched': return 12; // a batch job waits for its Message Batch (minutes to hours): no token progress
    case 'generating': return 15 + Math.min(70, Math.round((70 * (event.outputTokens || 0)) / job.expected));
    case 'repairing': return 86;
    case 'validating': return 92;
    case 'cached': return 95;
    default: return event.status === 'RUNNING' ? 10 : job.progress;
  }
}

function showJob(job, event) {
  const v = job.view;
  if (event.type === 'error' && !event.status) {
    report(new Error(`Following the job failed: ${event.message || event.code}.`));
    return;
  }
  if (event.status) job.status = event.status;
  job.progress = Math.max(job.progress, progressOf(job, event));
  v.progress.value = job.progress;
  v.status.textContent = job.status.toLowerCase();
  if (event.phase) v.phase.textContent = `· ${event.phase.replace(/-/g, ' ')}`;
  if (event.outputTokens != null) v.tokens.textContent = `· ${event.outputTokens} tokens so far`;
  if (event.type === 'error' || job.status === 'FAILED') {
    report(new Error(`The generation failed: ${event.message || 'no reason given'}.`));
  }
  if (TERMINAL.has(job.status)) {
    v.cancel.hidden = true;
    v.phase.textContent = '';
  }
  if (event.type !== 'result') return;
  v.tokens.textContent = '';
  if (job.kind === 'synthesis') {
    loadSynthesis(event.resultUrl || `/api/syntheses/${job.id}`);
  } else if (job.conceptId === (state.concept && state.concept.id)) {
    loadTheses(event.resultUrl);
    status('The theses have arrived.');
  }
}

// ---- a synthesis of several concepts, its proposal previewed and saved ---------------------------------------------

function fillSynthesisChoices(concepts) {
  const box = $('syn-concepts');
  const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
  box.replaceChildren(...(concepts.length ? concepts.map((c) => {
    const label = document.createElement('label');
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', value: c.id, checked: checked.has(c.id) });
    label.append(input, text('span', c.name));
    if (c.owner !== state.user) label.append(text('small', `by ${c.owner}`));
    return label;
  }) : [text('p', 'No concepts yet.', 'note')]));
}

$('ask-synthesis').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessages();
  const conceptIds = [...document.querySelectorAll('#syn-concepts input:checked')].map((i) => i.value);
  try {
    // two to five distinct concepts: thesis-service says so in a 422 when that is not what was chosen
    const res = await api('POST', '/api/syntheses', { body: { conceptIds, mode: $('syn-mode').value, language: 'en' } });
    $('syn-result').hidden = true;
    // a proposal is a JSON concept: about 150 output tokens per source concept and a few hundred more
    follow(res.body, 'synthesis', { expected: 300 + 150 * conceptIds.length });
  } catch (err) {
    report(err);
  }
});

async function loadSynthesis(url) {
  try {
    const res = await api('GET', url);
    state.proposal = res.body;
    const p = res.body.proposedConcept;
    const sources = (res.body.sourceConceptIds || []).map((id) => (state.known.get(id) || {}).name || id);
    $('syn-name').textContent = p.name;
    $('syn-summary').textContent = `${(p.categories || []).length} categories, ${(p.relations || []).length} relations`
      + ` · a ${res.body.mode} synthesis of ${sources.join(', ')}${p.description ? ' · ' + p.description : ''}`;
    $('syn-result').hidden = false;
    previewProposal();
    status('The synthesis has arrived: its proposed concept is on the canvas, not saved yet.');
  } catch (e) {
    report(e);
  }
}

/** The proposed concept as the canvas draws one: ids of its own, categories on a circle, relations by name. */
function proposalAsConcept(proposal) {
  const p = proposal.proposedConcept;
  const cats = p.categories || [];
  const radius = 80 + 20 * cats.length;
  const ids = new Map();
  const categories = cats.map((c, i) => {
    const id = `proposed-${i}`;
    ids.set(c.name.toLowerCase(), id);
    return {
      id, name: c.name, description: c.description || null, weight: c.weight ?? 0.5,
      x: Math.round(radius * Math.cos((2 * Math.PI * i) / cats.length - Math.PI / 2)),
      y: Math.round(radius * Math.sin((2 * Math.PI * i) / cats.length - Math.PI / 2)),
    };
  });
  const relations = (p.relations || []).map((r, i) => ({
    id: `proposed-r${i}`, from: r.from, to: r.to, type: String(r.type).toUpperCase(), weight: r.weight ?? 0.5,
    rationale: r.rationale || null, fromCategoryId: ids.get(String(r.from).toLowerCase()), toCategoryId: ids.get(String(r.to).toLowerCase()),
  })).filter((r) => r.fromCategoryId && r.toCategoryId);
  return { name: p.name, description: p.description || null, tradition: p.tradition || null, categories, relations };
}

function previewProposal() {
  if (!state.proposal) return;
  if (!state.preview) state.preview = proposalAsConcept(state.proposal);
  state.concept = null;
  state.etag = null;
  select(null);
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  $('concept-title').textContent = `Proposed: ${state.preview.name}`;
  $('concept-meta').textContent = `${state.proposal.mode} synthesis · not saved`;
  $('edit-details').disabled = true;
  $('reload').disabled = true;
  $('fit').disabled = false;
  $('inspector').hidden = true;
  $('proposal-actions').hidden = false;
  canvas.draw(state.preview, false);
  $('canvas-note').textContent = 'A preview of the proposed concept: nothing is saved until you press “Save as a new concept”. '
    + 'Drag its categories to arrange them first: their positions are saved with it.';
  $('canvas-note').hidden = false;
}

$('syn-show').addEventListener('click', () => { clearMessages(); previewProposal(); $('workspace').focus(); });

$('syn-save').addEventListener('click', async () => {
  clearMessages();
  const draft = state.preview;
  if (!draft) return;
  const body = {
    name: draft.name, description: draft.description, tradition: draft.tradition, visibility: $('syn-visibility').value,
    categories: draft.categories.map((c) => ({ name: c.name, description: c.description, weight: c.weight, x: Math.round(c.x), y: Math.round(c.y) })),
    relations: draft.relations.map((r) => ({ from: r.from, to: r.to, type: r.type, weight: r.weight, rationale: r.rationale })),
  };
  try {
    const res = await api('POST', '/api/concepts', { body });
    state.consistencyToken = res.headers.get('X-Consistency-Token') || state.consistencyToken;
    state.preview = null;
    state.proposal = null;
    $('syn-result').hidden = true;
    await listConcepts();
    await openConcept(res.body.id);
    status(`Saved the synthesis as the new concept “${res.body.name}”.`);
    $('workspace').focus();
  } catch (err) {
    report(err);
  }
});

$('syn-discard').addEventListener('click', () => {
  state.preview = null;
  $('proposal-actions').hidden = true;
  canvas.clear();
  $('concept-title').textContent = 'No concept open';
  $('concept-meta').textContent = '';
  $('canvas-note').hidden = true;
  $('fit').disabled = true;
  status('The proposal was not saved; “Show it on the canvas” brings it back.');
  $('syn-show').focus(); // the buttons that had the focus are gone
});

async function loadTheses(url) {
  if (!state.concept) return;
  const box = $('theses');
  try {
    const res = await api('GET', url || `/api/concepts/${state.concept.id}/theses`);
    const groups = res.body.jobs || [];
    if (!url) box.replaceChildren();
    if (!groups.length && !url) box.append(text('p', 'No theses yet for this concept.', 'note'));
    for (const group of groups) {
      const section = document.createElement('section');
      section.className = 'thesis-group';
      section.dataset.jobId = group.jobId;
      section.append(text('p', `${group.theses.length} theses · ${new Date(group.finishedAt || group.createdAt).toLocaleString()}`
        + ` · by ${group.generatedBy}`, 'note'));
      for (const t of group.theses) {
        const div = document.createElement('div');
        div.className = 'thesis';
        div.append(text('p', `${t.order}. ${t.text}`));
        if (t.rationale) div.append(text('p', t.rationale, 'note'));
        section.append(div);
      }
      box.querySelector(`[data-job-id="${group.jobId}"]`)?.remove();
      box.querySelector('p.note:only-child')?.remove();
      box.prepend(section);
    }
  } catch (e) {
    report(e);
  }
}

// for tests and debugging in the browser console
window.dialecticaStudio = {
  get cy() { return canvas && canvas.cy; },
  get concept() { return state.concept; },
  get etag() { return state.etag; },
  get user() { return state.user; },
  get proposal() { return state.proposal; },
  get preview() { return state.preview; },
};

start().catch(report);
