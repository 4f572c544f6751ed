/**
 * The style and the script every report page carries inline (src/report/html.ts), so that a page needs no
 * other file. The script reads the JSON a page embeds and does two things:
 *
 * - on a lifecycle page, a click on a state or a transition (in a diagram or a table; Tab to it and Enter
 *   works the same) opens a panel with what the report knows of it; Escape closes it, and the address's
 *   `#id` reopens it, so a panel can be linked to;
 * - on a trace page, the trace player: forward and back through the steps (buttons, the step list, or the
 *   keys → ← j k Home End), the current state of every machine highlighted in its diagram and scrolled into
 *   view, the step's transitions marked, and the observed fields drawn as small grids, with the cells that
 *   differ from the model (the lifecycle's `differences`) and those the step changed marked.
 *
 * It is plain ES2020 for any current browser, kept in this string so that the report is one folder of
 * self-contained pages; test/report/browser.test.ts runs it in Chromium, and a test parses it.
 */

/** Highlights and marks never change a label's font or size, only colours and strokes, so no label can grow into another. */
export const STYLE = String.raw`
:root { --ink: #1b1b1b; --muted: #5a5a5a; --line: #d0d0d0; --accent: #c25400; --accent-soft: #fff1dc; --bad: #b03030; --bad-soft: #fde8e8; --ok: #2a7a3a; --ext: #2060a0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 "Liberation Sans", Arimo, Arial, Helvetica, sans-serif; color: var(--ink); background: #fafafa; }
header.top { padding: 8px 20px 4px; background: #fff; border-bottom: 1px solid var(--line); }
header.top nav { font-size: 13px; color: var(--muted); }
h1 { font-size: 20px; margin: 2px 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; }
main { padding: 4px 20px 20px; }
footer { padding: 10px 20px; color: var(--muted); font-size: 12px; }
a { color: #1d4f91; }
a:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
code, pre, .mono { font-family: "Liberation Mono", "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
pre { background: #fff; border: 1px solid var(--line); padding: 8px 10px; overflow-x: auto; }
table { border-collapse: collapse; background: #fff; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
table.checks td:nth-child(-n+9) { white-space: nowrap; }
tr.target td { background: var(--accent-soft); }
.verdict-holds, .covered-yes { color: var(--ok); font-weight: bold; }
.verdict-violated, .verdict-missed, .covered-no { color: var(--bad); font-weight: bold; }
.verdict-caught { color: var(--ext); font-weight: bold; }
.kind-literal { color: var(--bad); } .kind-ext { color: var(--ext); }
.hint { color: var(--muted); font-size: 13px; }
figure.machine { margin: 10px 0 18px; }
figure.machine figcaption { font-weight: bold; margin-bottom: 4px; }
.diagram-box { background: #fff; border: 1px solid var(--line); overflow: auto; max-width: 100%; }
svg.diagram { display: block; }
svg.diagram a { cursor: pointer; }
svg.diagram a:focus { outline: none; }
svg.diagram a:focus text, svg.diagram g.selected[id^="a_"] text { paint-order: stroke; stroke: #ffd27a; stroke-width: 5px; stroke-linejoin: round; }
svg.diagram g.node.selected > path, svg.diagram g.node.selected > polygon { stroke: var(--accent); stroke-width: 3px; }
svg.diagram g.node.current > path, svg.diagram g.node.current > polygon { stroke: var(--accent); stroke-width: 3px; fill: var(--accent-soft); }
svg.diagram g.taken text { paint-order: stroke; stroke: #ffd27a; stroke-width: 5px; stroke-linejoin: round; }
svg.diagram g.edge.taken path { stroke: var(--accent); stroke-width: 3px; }
svg.diagram g.uncovered text { text-decoration: underline wavy var(--bad); }
#panel { position: fixed; top: 0; right: 0; width: 400px; max-width: 100vw; height: 100vh; overflow: auto; background: #fff; border-left: 2px solid var(--accent); box-shadow: -4px 0 12px rgba(0,0,0,.12); padding: 12px 16px 24px; z-index: 10; }
#panel h2 { margin-top: 4px; padding-right: 70px; word-break: break-word; }
#panel .close { position: absolute; top: 10px; right: 12px; }
#panel dl { margin: 0; } #panel dt { font-weight: bold; margin-top: 10px; } #panel dd { margin: 2px 0 0 0; }
#panel ul { margin: 2px 0; padding-left: 18px; }
button { font: inherit; font-size: 14px; padding: 4px 10px; border: 1px solid #9a9a9a; border-radius: 4px; background: #fff; cursor: pointer; }
button:disabled { color: #a0a0a0; cursor: default; }
body.trace main { padding-bottom: 0; }
.player-head p { margin: 2px 0; font-size: 14px; }
.player-head code { word-break: break-all; }
.player-body { display: grid; grid-template-columns: minmax(0, 1fr) 470px; gap: 12px; height: calc(100vh - 170px); min-height: 520px; margin-top: 8px; }
.player-diagrams { display: flex; flex-direction: column; gap: 8px; min-height: 0; }
.player-diagrams .diagram-box { flex: 1 1 0; min-height: 200px; }
.player-side { overflow: auto; background: #fff; border: 1px solid var(--line); padding: 0 12px 8px; min-height: 0; }
.controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; position: sticky; top: 0; background: #fff; padding: 8px 0 4px; z-index: 1; }
.controls output { font-weight: bold; min-width: 96px; text-align: center; }
.keys { color: var(--muted); font-size: 12px; margin: 4px 0 6px; }
#step-detail { border-top: 1px solid var(--line); padding-top: 6px; }
#step-detail p { margin: 2px 0; }
#step-detail .command { font-weight: bold; }
#step-detail .failed { color: var(--bad); font-weight: bold; }
.grids { display: flex; flex-wrap: wrap; gap: 8px 16px; margin: 8px 0; }
.grid { margin: 0; }
.grid figcaption { font-size: 12px; color: var(--muted); }
.grid figcaption b { color: var(--ink); }
.cells { display: flex; flex-wrap: wrap; gap: 2px; max-width: 430px; }
.cell { position: relative; min-width: 24px; height: 24px; padding: 0 3px; border: 1px solid #9a9a9a; font: 12px/22px "Liberation Mono", "DejaVu Sans Mono", monospace; text-align: center; background: #fff; }
.cell.bit-1 { background: #39414d; color: #fff; }
.cell.unknown { color: #9a9a9a; }
.cell.changed { box-shadow: inset 0 -4px 0 #3b82c4; }
.cell.differs { border: 2px solid var(--bad); background: var(--bad-soft); color: var(--bad); }
.cell.differs.bit-1 { background: var(--bad); color: #fff; }
.cell.differs::after { content: "\2260"; position: absolute; top: -9px; right: -5px; font-size: 11px; line-height: 12px; color: #fff; background: var(--bad); border-radius: 6px; padding: 0 2px; }
.legend { font-size: 12px; color: var(--muted); }
.legend .cell { display: inline-block; min-width: 18px; height: 16px; line-height: 14px; font-size: 10px; vertical-align: middle; }
.fields { font-size: 12px; margin: 4px 0; }
.fields dt { display: inline; font-weight: bold; } .fields dd { display: inline; margin: 0 10px 0 4px; word-break: break-all; }
#step-list { font-size: 12px; padding-left: 0; list-style: none; margin: 8px 0 0; max-height: 240px; overflow: auto; border-top: 1px solid var(--line); position: relative; }
#step-list button { display: block; width: 100%; text-align: left; font: 12px/1.35 "Liberation Mono", "DejaVu Sans Mono", monospace; border: 0; border-left: 4px solid transparent; padding: 3px 6px; border-radius: 0; }
#step-list button[aria-current="step"] { border-left-color: var(--accent); background: var(--accent-soft); }
#step-list .failed { color: var(--bad); }
@media (max-width: 1000px) { .player-body { grid-template-columns: 1fr; height: auto; } .player-diagrams .diagram-box { max-height: 70vh; } }
`;

export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  function data(id) { var node = document.getElementById(id); return node === null ? null : JSON.parse(node.textContent); }
  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = String(content);
    return node;
  }
  function anchorGroup(id) { return document.getElementById('a_' + id); }
  function each(selector, visit) { Array.prototype.forEach.call(document.querySelectorAll(selector), visit); }

  // A diagram wider than its box is scaled down to fit, but never below MIN_SCALE of its own size (10 pt
  // labels stay at 11 px or more); a wider one keeps that scale and its box scrolls.
  var MIN_SCALE = 0.8;
  function fitDiagrams() {
    each('svg.diagram', function (svg) {
      var natural = svg.width.baseVal.value;
      var room = svg.parentElement.clientWidth - 2;
      svg.style.width = Math.max(natural * MIN_SCALE, Math.min(natural, room)) + 'px';
      svg.style.height = 'auto';
    });
  }

  // ---------------------------------------------------------------- lifecycle pages: the panel's parts
  function item(dl, term, content) {
    dl.appendChild(el('dt', '', term));
    var dd = el('dd');
    if (typeof content === 'string') dd.textContent = content; else dd.appendChild(content);
    dl.appendChild(dd);
  }
  function list(entries, render) {
    if (entries.length === 0) return el('span', 'hint', 'none');
    var ul = el('ul');
    entries.forEach(function (entry) { var li = el('li'); li.appendChild(render(entry)); ul.appendChild(li); });
    return ul;
  }
  function linkTo(href, label) { var a = el('a', '', label); a.href = href; return a; }
  function label(t) { return t.event + (t.guard ? ' [' + t.guard + ']' : ''); }
  function propertyItem(model, name) {
    var p = model.properties[name];
    var span = el('span');
    span.appendChild(linkTo('#property-' + name, name));
    if (p) span.appendChild(document.createTextNode(' (' + p.ref + '): ' + p.description));
    return span;
  }
  function coverageItem(c) {
    var taken = c.edges.filter(function (e) { return e.covered === true; }).length;
    var all = taken === c.edges.length;
    var counted = ' (' + taken + '/' + c.edges.length + ' edges)';
    var text = c.search === 'none' ? 'not searched in this run'
      : c.search === 'stopped' ? (all ? 'taken' : 'not all taken before the search stopped') + counted
      : (all ? 'taken' : 'NOT taken') + counted;
    var quiet = c.search === 'none' || (c.search === 'stopped' && !all);
    var span = el('span', quiet ? 'hint' : all ? 'covered-yes' : 'covered-no', c.variant + ': ' + text);
    span.title = c.edges.map(function (e) { return e.edge; }).join('\n');
    return span;
  }
  function reachedItem(r) {
    var text = r.value === null ? 'not searched in full in this run' : r.value ? 'reached' : 'NOT reached';
    return el('span', r.value === null ? 'hint' : r.value ? 'covered-yes' : 'covered-no', r.variant + ': ' + text);
  }
  var KINDS = {
    literal: 'the seed\'s literal flow (a defect; only its literal-defect variant takes it)',
    ext: 'copyspec\'s extension (not in the seed)',
    seed: 'in the seed'
  };
  function transitionFacts(model, t, dl) {
    item(dl, 'Transition', (t.source === '' ? 'any state' : t.source) + ' \u2192 ' + (t.target === null ? '(stays in its state)' : t.target) + ' (' + t.diagram + ')');
    item(dl, 'What it does', t.description);
    item(dl, 'Seed references', t.refs || 'none');
    item(dl, 'Guard', t.guard || 'none');
    item(dl, 'Kind', KINDS[t.kind]);
    item(dl, 'Exhaustive search', t.coverage.length === 0 ? el('span', 'hint', 'no variant enables it from a reachable state') : list(t.coverage, coverageItem));
    item(dl, 'Properties it concerns', list(t.properties, function (name) { return propertyItem(model, name); }));
    item(dl, 'Counterexamples that take it', list(t.traces, function (x) { return linkTo(x.page, x.label); }));
  }
  function stateFacts(model, s, dl) {
    var name = s.key === '' ? 'any state' : s.key;
    item(dl, 'State', name + ' (' + s.diagram + ')' + (s.parent ? ', inside ' + s.parent : ''));
    item(dl, 'What holds in it', s.description || 'no description');
    item(dl, 'Transitions from it', list(s.transitions, function (id) {
      var t = model.transitions[id];
      return linkTo('#' + id, label(t) + ' \u2192 ' + (t.target === null ? '(stays)' : t.target));
    }));
    item(dl, 'Properties it concerns', list(s.properties, function (p) { return propertyItem(model, p); }));
    var reached = Object.keys(s.reached).map(function (v) { return { variant: v, value: s.reached[v] }; });
    item(dl, 'Exhaustive search', list(reached, reachedItem));
  }

  // ---------------------------------------------------------------- lifecycle pages: opening and closing it
  function lifecyclePage(model) {
    var panel = document.getElementById('panel');
    var selected = [];
    function select(nodes) {
      selected.forEach(function (node) { node.classList.remove('selected'); });
      selected = nodes.filter(function (node) { return node !== null; });
      selected.forEach(function (node) { node.classList.add('selected'); });
    }
    function open(title, fill, nodes) {
      select(nodes);
      panel.textContent = '';
      var close = el('button', 'close', 'Close');
      close.type = 'button';
      close.setAttribute('aria-label', 'Close the panel (Escape)');
      close.addEventListener('click', hide);
      panel.appendChild(close);
      panel.appendChild(el('h2', '', title));
      var dl = el('dl'); fill(dl); panel.appendChild(dl);
      panel.hidden = false;
    }
    function hide() { panel.hidden = true; select([]); if (location.hash) history.replaceState(null, '', location.pathname + location.search); }
    function route(id) {
      var t = model.transitions[id];
      if (t) { open(label(t), function (dl) { transitionFacts(model, t, dl); }, [anchorGroup(id), document.getElementById('row-' + id)]); return true; }
      var key = id.replace(/--name$/, '');
      var s = model.states[key];
      if (s) { open(s.key === '' ? 'any state' : s.key, function (dl) { stateFacts(model, s, dl); }, [document.getElementById(key), anchorGroup(key + '--name')]); return true; }
      return false;
    }
    document.addEventListener('click', function (event) {
      var target = event.target instanceof Element ? event.target : null;
      var anchor = target && target.closest('a');
      var href = anchor && (anchor.getAttribute('href') || anchor.getAttribute('xlink:href'));
      if (href && href.charAt(0) === '#' && route(href.slice(1))) {
        event.preventDefault();
        history.replaceState(null, '', href);
        return;
      }
      var node = target && target.closest('svg.diagram g.node');
      if (node && model.states[node.id]) route(node.id);
    });
    document.addEventListener('keydown', function (event) { if (event.key === 'Escape' && !panel.hidden) hide(); });
    Object.keys(model.transitions).forEach(function (id) {
      var gap = model.transitions[id].coverage.some(function (c) { return c.kind === 'embodiment' && c.edges.some(function (e) { return e.covered === false; }); });
      if (gap && anchorGroup(id)) anchorGroup(id).classList.add('uncovered');
    });
    if (location.hash.length > 1) route(decodeURIComponent(location.hash.slice(1)));
  }

  // ---------------------------------------------------------------- trace pages: one step's parts
  function cellsOf(value, kind) {
    if (kind === 'bytes' && typeof value === 'string') { var bytes = []; for (var i = 0; i < value.length; i += 2) bytes.push(value.slice(i, i + 2)); return bytes; }
    if (kind === 'bits' && typeof value === 'string') return value.split('');
    if (kind === 'blocks' && Array.isArray(value)) return value;
    return null;
  }
  function shortCell(value) {
    if (value === null) return '--';
    var text = String(value);
    return text.length > 8 ? text.slice(0, 6) + '\u2026' : text;
  }
  function grid(name, kind, value, previous, differs) {
    var cells = cellsOf(value, kind);
    var before = cellsOf(previous, kind);
    var off = differs || [];
    var figure = el('figure', 'grid');
    var caption = el('figcaption'); caption.appendChild(el('b', '', name));
    if (off.length > 0) caption.appendChild(document.createTextNode(' \u2014 ' + off.length + ' differ' + (off.length === 1 ? 's' : '') + ' from the model'));
    figure.appendChild(caption);
    var row = el('div', 'cells');
    if (cells.length === 0) row.appendChild(el('span', 'hint', '(empty)'));
    cells.forEach(function (cell, i) {
      var classes = ['cell'];
      if (kind === 'bits') classes.push('bit-' + cell);
      if (cell === null) classes.push('unknown');
      if (off.indexOf(i) >= 0) classes.push('differs');
      if (before !== null && JSON.stringify(before[i]) !== JSON.stringify(cell)) classes.push('changed');
      var span = el('span', classes.join(' '), kind === 'bits' ? cell : shortCell(cell));
      span.title = name + '[' + i + '] = ' + (cell === null ? 'none' : cell) + (off.indexOf(i) >= 0 ? ' (differs from the model)' : '');
      row.appendChild(span);
    });
    figure.appendChild(row);
    return figure;
  }
  function stepDetail(detail, step) {
    detail.textContent = '';
    detail.appendChild(el('p', 'command', step.command === null ? 'The initial world' : step.index + '. ' + step.command));
    if (step.verdict) detail.appendChild(el('p', '', 'Outcome: ' + step.verdict));
    if (step.threw) detail.appendChild(el('p', 'failed', 'The controller threw: ' + step.threw));
    detail.appendChild(el('p', '', 'State: ' + Object.keys(step.states).map(function (m) { return m + ': ' + step.states[m]; }).join(', ')));
    var failed = step.failed.length > 0;
    detail.appendChild(el('p', failed ? 'failed' : 'hint', failed ? '\u2717 violated: ' + step.failed.join(', ') : 'Every property holds after this step.'));
  }
  function stepGrids(grids, step, previous, kinds) {
    grids.textContent = '';
    var box = el('div', 'grids');
    var fields = el('dl', 'fields');
    Object.keys(step.observed).forEach(function (name) {
      var value = step.observed[name];
      if (kinds[name] && cellsOf(value, kinds[name]) !== null) {
        box.appendChild(grid(name, kinds[name], value, previous && previous.observed[name], step.differs[name]));
        return;
      }
      fields.appendChild(el('dt', '', name));
      fields.appendChild(el('dd', 'mono', typeof value === 'string' ? value : JSON.stringify(value)));
    });
    grids.appendChild(box);
    if (fields.childNodes.length > 0) grids.appendChild(fields);
  }
  // Only the step list scrolls to the current step; the panel around it stays where the reader left it.
  function scrollList(entry) {
    if (!entry) return;
    var box = entry.closest('ol');
    if (entry.offsetTop < box.scrollTop) box.scrollTop = entry.offsetTop;
    else if (entry.offsetTop + entry.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = entry.offsetTop + entry.offsetHeight - box.clientHeight;
  }
  // The current state of every machine, and the step's transitions with both halves of their arrows.
  function highlighter(trace) {
    var marked = [];
    function mark(node, className) { if (node) { node.classList.add(className); marked.push([node, className]); } }
    return function (step) {
      marked.forEach(function (entry) { entry[0].classList.remove(entry[1]); });
      marked = [];
      trace.machines.forEach(function (m) {
        var key = step.states[m.machine];
        var node = key === undefined ? null : document.getElementById(m.diagram + '--s-' + key);
        mark(node, 'current');
        if (node) node.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      });
      step.taken.forEach(function (id) {
        var line = anchorGroup(id);
        mark(line, 'taken');
        var owner = line && line.closest('g.node');
        if (owner && /--e\d+$/.test(owner.id)) {
          mark(document.getElementById(owner.id + '--from'), 'taken');
          mark(document.getElementById(owner.id + '--to'), 'taken');
        }
      });
    };
  }

  // ---------------------------------------------------------------- trace pages: the player
  var KEYS = { ArrowRight: 1, j: 1, ArrowLeft: -1, k: -1 };
  function tracePage(trace) {
    var steps = trace.steps;
    var at = 0;
    var highlight = highlighter(trace);
    var entries = Array.prototype.slice.call(document.querySelectorAll('#step-list button'));
    var buttons = {};
    each('[data-go]', function (b) { buttons[b.getAttribute('data-go')] = b; });
    function show(index) {
      at = Math.max(0, Math.min(steps.length - 1, index));
      document.getElementById('step-count').textContent = 'step ' + at + ' of ' + (steps.length - 1);
      buttons.first.disabled = buttons.prev.disabled = at === 0;
      buttons.next.disabled = buttons.last.disabled = at === steps.length - 1;
      stepDetail(document.getElementById('step-detail'), steps[at]);
      stepGrids(document.getElementById('grids'), steps[at], at > 0 ? steps[at - 1] : null, trace.kinds);
      entries.forEach(function (b, i) { if (i === at) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current'); });
      scrollList(entries[at]);
      highlight(steps[at]);
      document.body.setAttribute('data-step', String(at));
    }
    buttons.first.addEventListener('click', function () { show(0); });
    buttons.prev.addEventListener('click', function () { show(at - 1); });
    buttons.next.addEventListener('click', function () { show(at + 1); });
    buttons.last.addEventListener('click', function () { show(steps.length - 1); });
    entries.forEach(function (b, i) { b.addEventListener('click', function () { show(i); }); });
    document.addEventListener('keydown', function (event) {
      var tag = event.target && event.target.tagName;
      if (event.altKey || event.ctrlKey || event.metaKey || tag === 'INPUT' || tag === 'TEXTAREA') return;
      if (KEYS[event.key] !== undefined) show(at + KEYS[event.key]);
      else if (event.key === 'Home') show(0);
      else if (event.key === 'End') show(steps.length - 1);
      else return;
      event.preventDefault();
    });
    show(0);
  }

  fitDiagrams();
  window.addEventListener('resize', fitDiagrams);
  var lifecycle = data('report-data');
  if (lifecycle !== null) lifecyclePage(lifecycle);
  var trace = data('trace-data');
  if (trace !== null) tracePage(trace);
})();
`;
