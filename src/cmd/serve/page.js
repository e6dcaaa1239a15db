(function () {
  'use strict';
  var token = document.querySelector('meta[name="termtally-token"]').content;
  var groups = {}; // document id -> "all" | "old" | "new"
  var documents = [];
  var builtins = [];
  var uploadedLexicon = null; // {name, text}
  var formLexicon = null; // {name, terms}
  var updating = null;
  var DOCUMENT_TYPE = 'application/x-termtally-document';

  function $(id) { return document.getElementById(id); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function say(text) { $('progress').textContent = text; }
  // "1 document", "3 documents", "12,345 words": numbers as the reader writes them.
  function number(n) { return Number(n).toLocaleString('en-GB'); }
  function plural(n, word, words) { return number(n) + ' ' + (Number(n) === 1 ? word : (words || word + 's')); }
  // This tab's own id: the server sends a job's progress to the tab that started it only.
  var session = Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)),
    function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  function post(url, body) {
    var headers = { 'X-Termtally-Token': token, 'X-Termtally-Session': session };
    if (!(body instanceof FormData)) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(body);
    }
    return fetch(url, { method: 'POST', headers: headers, body: body, credentials: 'same-origin' });
  }
  function errorOf(response) {
    return response.json().then(function (j) { return j.error || response.statusText; },
      function () { return response.statusText; });
  }

  var events = new EventSource('/api/events?session=' + session);
  events.onmessage = function (e) { say(e.data); };

  function lexiconChoice() {
    var source = $('lexicon-source').value;
    if (source === 'file' && uploadedLexicon) {
      return { kind: 'file', name: uploadedLexicon.name, text: uploadedLexicon.text };
    }
    if (source === 'form' && formLexicon) {
      return { kind: 'terms', name: formLexicon.name, terms: formLexicon.terms };
    }
    return { kind: 'builtin', name: source.replace(/^builtin:/, '') };
  }
  function settings() {
    var ids = documents.map(function (d) { return d.id; });
    var of = function (g) { return ids.filter(function (id) { return groups[id] === g; }); };
    var old = of('old'), nu = of('new');
    var compare = old.length > 0 && nu.length > 0;
    return { documents: ids, old: compare ? old : [], new: compare ? nu : [],
      lexicon: lexiconChoice(), mode: $('mode').value,
      pages: $('scope-pages').value, sections: $('scope-sections').value,
      part: $('scope-part').value, heading: $('scope-heading').value };
  }

  function upload(files, group) {
    if (!files.length) { return Promise.resolve(); }
    var form = new FormData();
    Array.prototype.forEach.call(files, function (f) { form.append('file', f, f.name); });
    say('Uploading ' + plural(files.length, 'file') + '…');
    return post('/api/upload', form).then(function (r) {
      if (!r.ok) { return errorOf(r).then(function (m) { say('Not added: ' + m); }); }
      return r.json().then(function (j) {
        j.documents.forEach(function (d) { groups[d.id] = group; });
        showFailures(j.failures);
        say(plural(j.documents.length, 'document') + ' added' +
          (j.failures.length ? ', ' + number(j.failures.length) + ' could not be read' : '') + '.');
        return refresh();
      });
    });
  }
  function showFailures(failures) {
    failures.forEach(function (f) { $('failures').appendChild(el('li', f.name + ': ' + f.reason)); });
  }

  function refresh() {
    return fetch('/api/state', { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (state) {
        documents = state.documents;
        drawDocuments();
        if (builtins.length === 0) { drawLexicons(state.builtins); }
        if (state.folder) { drawFolder(state.folder); }
        return update();
      });
  }
  function drawDocuments() {
    var body = $('documents').querySelector('tbody');
    body.textContent = '';
    $('documents').hidden = documents.length === 0;
    documents.forEach(function (d) {
      // Rows drag into the OLD and NEW zones; the Group select does the same by keyboard.
      var row = el('tr', null, { draggable: 'true', 'data-id': d.id });
      row.addEventListener('dragstart', function (e) {
        e.dataTransfer.setData(DOCUMENT_TYPE, String(d.id));
        e.dataTransfer.effectAllowed = 'move';
      });
      row.appendChild(el('td', d.name));
      row.appendChild(el('td', d.format));
      row.appendChild(el('td', d.pages === null ? '' : d.pages, { 'class': 'n' }));
      var cell = el('td');
      var select = el('select', null, { 'aria-label': 'Group of ' + d.name });
      [['all', 'counted'], ['old', 'OLD'], ['new', 'NEW']].forEach(function (g) {
        var o = el('option', g[1], { value: g[0] });
        if ((groups[d.id] || 'all') === g[0]) { o.selected = true; }
        select.appendChild(o);
      });
      select.addEventListener('change', function () { setGroup(d.id, select.value); });
      cell.appendChild(select);
      row.appendChild(cell);
      var remove = el('button', 'Remove', { type: 'button', 'class': 'secondary', 'aria-label': 'Remove ' + d.name });
      remove.addEventListener('click', function () {
        post('/api/remove', { ids: [d.id] }).then(refresh);
      });
      var rc = el('td'); rc.appendChild(remove); row.appendChild(rc);
      body.appendChild(row);
    });
    drawGroups();
  }
  function setGroup(id, group) {
    groups[id] = group;
    drawDocuments();
    update();
  }
  // Who is in OLD and NEW, shown in each zone.
  function drawGroups() {
    ['old', 'new'].forEach(function (g) {
      var names = documents.filter(function (d) { return groups[d.id] === g; }).map(function (d) { return d.name; });
      var list = $('members-' + g);
      list.textContent = '';
      names.forEach(function (n) { list.appendChild(el('li', n)); });
      $('count-' + g).textContent = names.length ? plural(names.length, 'document') : 'no documents yet';
    });
  }
  function drawLexicons(list) {
    builtins = list;
    var select = $('lexicon-source');
    list.forEach(function (b) {
      select.appendChild(el('option', b.name + ' — ' + b.description, { value: 'builtin:' + b.name }));
    });
    select.appendChild(el('option', 'the uploaded lexicon file', { value: 'file' }));
    select.appendChild(el('option', 'the terms of the form below', { value: 'form' }));
  }
  var folderDrawn = false;
  function drawFolder(paths) {
    if (folderDrawn) { return; }
    folderDrawn = true;
    $('folder-box').hidden = false;
    var list = $('folder-list');
    paths.forEach(function (p, i) {
      var line = el('div');
      var box = el('input', null, { type: 'checkbox', id: 'folder-' + i, value: p });
      line.appendChild(box);
      line.appendChild(el('label', p, { 'for': 'folder-' + i }));
      list.appendChild(line);
    });
  }
  $('folder-add').addEventListener('click', function () {
    var paths = Array.prototype.map.call(
      $('folder-list').querySelectorAll('input:checked'), function (b) { return b.value; });
    say('Reading ' + plural(paths.length, 'document') + ' of the folder…');
    post('/api/folder', { paths: paths }).then(function (r) {
      if (!r.ok) { return errorOf(r).then(function (m) { say('Not added: ' + m); }); }
      return r.json().then(function (j) {
        j.documents.forEach(function (d) { groups[d.id] = 'all'; });
        showFailures(j.failures);
        say(plural(j.documents.length, 'document') + ' added.');
        return refresh();
      });
    });
  });

  function update() {
    if (documents.length === 0) { return Promise.resolve(); }
    var s = settings();
    var run = Promise.all([
      post('/api/count', s).then(function (r) {
        if (!r.ok) { return errorOf(r).then(function (m) { $('lexicon-message').textContent = m; }); }
        $('lexicon-message').textContent = '';
        $('change-downloads').hidden = s.old.length === 0;
        return r.json().then(drawCounts);
      }),
      post('/api/report', s).then(function (r) {
        return r.ok ? r.json().then(function (j) { $('report').src = j.url; }) : null;
      })
    ]);
    updating = run;
    return run;
  }
  function drawCounts(report) {
    var rows = report.rows.filter(function (r) { return r.kind === 'term'; });
    var all = rows.filter(function (r) { return r.document === '(all documents)'; });
    if (all.length === 0) { all = rows; }
    var body = $('counts').querySelector('tbody');
    body.textContent = '';
    all.forEach(function (r) {
      var row = el('tr', null, { 'data-term': r.term });
      row.appendChild(el('th', r.term, { scope: 'row' }));
      row.appendChild(el('td', r.category));
      row.appendChild(el('td', number(r.count), { 'class': 'n count' }));
      row.appendChild(el('td', Number(r.rate_per_10k).toFixed(2), { 'class': 'n' }));
      body.appendChild(row);
    });
    $('counts-caption').textContent = 'Counts in ' + plural(report.total.documents, 'document') + ', ' +
      plural(report.total.tokens, 'word') + ' (' + report.lexicon.name + ', ' + report.mode + ' mode' +
      (report.scope ? '; ' + report.scope : '') + ')';
    $('counts').hidden = false;
  }

  function wireDrop(zone, input) {
    var group = zone.getAttribute('data-group');
    input.addEventListener('change', function () { upload(input.files, group).then(function () { input.value = ''; }); });
    zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.classList.remove('over');
      var id = e.dataTransfer.getData(DOCUMENT_TYPE);
      if (id) { setGroup(Number(id), group); return; }
      upload(e.dataTransfer.files, group);
    });
  }
  wireDrop($('drop-all'), $('files'));
  wireDrop($('drop-old'), $('files-old'));
  wireDrop($('drop-new'), $('files-new'));

  $('mode').addEventListener('change', update);
  ['scope-pages', 'scope-sections', 'scope-part', 'scope-heading'].forEach(function (id) {
    $(id).addEventListener('change', update);
  });
  $('lexicon-source').addEventListener('change', update);
  $('update').addEventListener('click', update);
  $('lexicon-file').addEventListener('change', function () {
    var file = $('lexicon-file').files[0];
    if (!file) { return; }
    file.text().then(function (text) {
      uploadedLexicon = { name: file.name, text: text };
      $('lexicon-source').value = 'file';
      return post('/api/lexicon', { kind: 'file', name: file.name, text: text });
    }).then(function (r) {
      if (!r.ok) { return errorOf(r).then(function (m) { $('lexicon-message').textContent = m; }); }
      $('lexicon-message').textContent = '';
      return update();
    });
  });

  var termRows = 0;
  function addTermRow(t) {
    var row = el('tr');
    var n = ++termRows;
    [['label', 'Label', t.label], ['category', 'Category', t.category], ['forms', 'Forms', t.forms.join(', ')],
      ['exclude', 'Exclusions', (t.exclude || []).join(', ')]].forEach(function (f) {
      var cell = el('td');
      var input = el('input', null, { type: 'text', 'data-field': f[0], 'aria-label': f[1] + ' of term ' + n });
      input.value = f[2];
      cell.appendChild(input);
      row.appendChild(cell);
    });
    var remove = el('button', 'Remove', { type: 'button', 'class': 'secondary', 'aria-label': 'Remove this term' });
    remove.addEventListener('click', function () { row.remove(); });
    var rc = el('td'); rc.appendChild(remove); row.appendChild(rc);
    $('form-table').querySelector('tbody').appendChild(row);
  }
  function termsOfForm() {
    var split = function (s) { return s.split(',').map(function (x) { return x.trim(); }).filter(Boolean); };
    return Array.prototype.map.call($('form-table').querySelectorAll('tbody tr'), function (row) {
      var v = function (f) { return row.querySelector('[data-field="' + f + '"]').value; };
      return { label: v('label').trim(), category: v('category').trim(), forms: split(v('forms')), exclude: split(v('exclude')) };
    });
  }
  $('form-add').addEventListener('click', function () { addTermRow({ label: '', category: '', forms: [] }); });
  $('form-copy').addEventListener('click', function () {
    post('/api/lexicon', lexiconChoice()).then(function (r) {
      if (!r.ok) { return errorOf(r).then(function (m) { $('lexicon-message').textContent = m; }); }
      return r.json().then(function (j) {
        $('form-table').querySelector('tbody').textContent = '';
        $('form-name').value = j.name + ' (edited)';
        j.terms.forEach(addTermRow);
      });
    });
  });
  $('form-use').addEventListener('click', function () {
    formLexicon = { name: $('form-name').value, terms: termsOfForm() };
    $('lexicon-source').value = 'form';
    update();
  });
  $('form-toml').addEventListener('click', function () {
    formLexicon = { name: $('form-name').value, terms: termsOfForm() };
    download('toml', { kind: 'terms', name: formLexicon.name, terms: formLexicon.terms });
  });

  // The pattern of the hits on screen: the concordance download is of those, whatever the
  // search box holds since.
  var searched = '';

  function download(format, lexicon, table) {
    var s = settings();
    if (lexicon) { s.lexicon = lexicon; }
    s.format = format;
    s.by = $('by').value;
    s.table = table || 'counts';
    s.pattern = searched;
    post('/api/download', s).then(function (r) {
      if (!r.ok) { return errorOf(r).then(function (m) { say('No download: ' + m); }); }
      var name = (r.headers.get('Content-Disposition') || '').replace(/^.*filename="([^"]+)".*$/, '$1');
      return r.blob().then(function (blob) {
        var a = el('a', null, { href: URL.createObjectURL(blob), download: name || 'termtally' });
        document.body.appendChild(a);
        a.click();
        a.remove();
        say('Downloaded ' + name + '.');
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.download'), function (b) {
    b.addEventListener('click', function () {
      download(b.getAttribute('data-format'), null, b.getAttribute('data-table'));
    });
  });

  $('search-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var s = settings();
    s.pattern = $('search-pattern').value;
    post('/api/search', s).then(function (r) {
      if (!r.ok) { return errorOf(r).then(function (m) { $('search-summary').textContent = m; }); }
      return r.json().then(function (j) {
        searched = s.pattern;
        var list = $('hits');
        list.textContent = '';
        $('search-summary').textContent = plural(j.total, 'hit') +
          (j.total > j.hits.length ? ', the first ' + number(j.hits.length) + ' shown' : '') + '.';
        $('concordance-downloads').hidden = j.total === 0;
        j.hits.forEach(function (h) {
          var item = el('li');
          item.appendChild(el('span', h.name + ', ' + h.cite + ': ', { 'class': 'cite' }));
          item.appendChild(document.createTextNode(h.left + ' '));
          item.appendChild(el('mark', h.match));
          item.appendChild(document.createTextNode(' ' + h.right + ' '));
          if (h.pdf && h.page) {
            item.appendChild(el('a', 'open page ' + h.page, { href: '/document/' + h.document + '#page=' + h.page, target: '_blank', rel: 'noopener' }));
          }
          list.appendChild(item);
        });
      });
    });
  });

  window.termtallyIdle = function () { return updating || Promise.resolve(); };
  refresh();
})();
