#!/usr/bin/env python3
"""Drives `termtally serve` in headless Chromium as a user would: opens the printed address
(the token moves into a cookie, the address bar keeps the clean URL), adds three documents (two
through the file input, one by a synthetic drop event), picks the study lexicon, reads the
counts (equal to `count --format json`), searches the concordance (the hits of `kwic`, with
#page=N links), downloads the counts as CSV and XLSX and checks them, copies the lexicon into
the term form and downloads it as TOML, compares OLD and NEW groups (the report's Change
section), adds a document whose name and text are script payloads (no dialog opens) and a
corrupt PDF (listed with its reason), and opens a hit's #page=N link in the PDF viewer. Along
the way: no console errors, no CSP violations, every control labelled, and a screenshot of each
step.

Usage: check_serve.py TERMTALLY DOC1 DOC2 DOC3 --count COUNT.json --kwic-total N
                      --pattern PATTERN --diff DIFF.csv [--screenshots DIR]
DIFF.csv is `termtally diff --old DOC1 --new DOC2 DOC3 --format csv`, which the Change download
must equal.
Exit 0 when every check passes; 1 with each failure printed; 3 when Chromium, chromedriver or
selenium is missing (the Rust test then skips loudly).
"""

import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_report import CHROMIUM_FLAGS, WATCH, find_chromium  # noqa: E402

failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, file=sys.stderr)


def start_browser(user_data_dir):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("selenium is not installed (Debian: python3-selenium)", file=sys.stderr)
        sys.exit(3)
    chromium = find_chromium()
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not os.path.exists(driver_path):
        print("chromium or chromedriver is not installed (Debian: chromium chromium-driver)", file=sys.stderr)
        sys.exit(3)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # The network stays off, but for termtally's own address.
    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--host-resolver-rules")]
    flags.append("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    for flag in flags + ["--user-data-dir=" + user_data_dir, "--window-size=1200,1000"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def wait_for(driver, condition, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = driver.execute_script(condition)
            if value:
                return value
        except Exception:  # noqa: BLE001 - the page may be between states
            pass
        time.sleep(0.1)
    fail("timed out waiting for " + what)
    return None


def wait_for_file(path, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and not os.path.exists(path + ".crdownload") and os.path.getsize(path) > 0:
            return True
        time.sleep(0.1)
    fail("download %s did not arrive" % path)
    return False


def expected_totals(count):
    """term -> count over all documents, from count --format json (its corpus-total rows)."""
    rows = [r for r in count["rows"] if r["kind"] == "term"]
    total = [r for r in rows if r["document"] == "(all documents)"] or rows
    return {r["term"]: r["count"] for r in total}


def expected_by_document(count):
    """(document name, term) -> count, from count --format json."""
    return {(os.path.basename(r["path"]), r["term"]): r["count"]
            for r in count["rows"] if r["kind"] == "term" and r["path"]}


def shot(driver, directory, name, element_id=None):
    if not directory:
        return
    # No focus ring left by the keyboard check on whatever control Tab reached last.
    driver.execute_script("if (document.activeElement) { document.activeElement.blur(); }")
    if element_id:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", element_id)
        time.sleep(0.2)
    driver.save_screenshot(os.path.join(directory, name + ".png"))


def check_labels(driver):
    unlabelled = driver.execute_script("""
      return Array.from(document.querySelectorAll('input, select, button, iframe')).filter(function (e) {
        if (e.type === 'hidden' || e.closest('[hidden]')) { return false; }
        if (e.getAttribute('aria-label') || e.getAttribute('title')) { return false; }
        if (e.id && document.querySelector('label[for="' + e.id + '"]')) { return false; }
        return !(e.tagName === 'BUTTON' && e.textContent.trim());
      }).map(function (e) { return e.outerHTML.slice(0, 80); });""")
    if unlabelled:
        fail("controls without a label: %r" % unlabelled)


def check_contrast(driver):
    """WCAG 2.1 AA: text at least 4.5:1 against the background it sits on (computed here)."""
    low = driver.execute_script("""
      function rgb(c) { var m = c.match(/[\\d.]+/g).map(Number); return m; }
      function lum(c) {
        var v = rgb(c).slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
      }
      function background(e) {
        for (; e; e = e.parentElement) {
          var b = getComputedStyle(e).backgroundColor, a = rgb(b);
          if (a.length < 4 || a[3] > 0) { return b; }
        }
        return 'rgb(255, 255, 255)';
      }
      var out = [];
      document.querySelectorAll('body *').forEach(function (e) {
        var text = Array.from(e.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
        if (!text || e.closest('[hidden]') || e.offsetParent === null) { return; }
        var a = lum(getComputedStyle(e).color), b = lum(background(e));
        var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) { out.push(e.tagName + ' ' + e.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2)); }
      });
      return out;""")
    if low:
        fail("text below 4.5:1 contrast: %r" % low[:5])


def check_keyboard(driver):
    """Tab alone reaches the controls of every step."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    reached = set()
    for _ in range(80):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.add(driver.execute_script("return document.activeElement.id"))
    for wanted in ("files", "lexicon-source", "lexicon-file", "mode", "scope-pages", "scope-heading",
                   "files-old", "files-new", "update", "search-pattern"):
        if wanted not in reached:
            fail("Tab does not reach #%s" % wanted)


def add_documents(driver, docs, shots):
    driver.find_element("id", "files").send_keys("\n".join(docs[:2]))
    wait_for(driver, "return document.querySelectorAll('#documents tbody tr').length === 2", "two documents")
    # A drop as the browser makes it: a DragEvent whose DataTransfer holds the file.
    driver.execute_script("""
      var input = document.createElement('input');
      input.type = 'file'; input.id = 'synthetic-drop'; input.hidden = true;
      document.body.appendChild(input);""")
    driver.find_element("id", "synthetic-drop").send_keys(docs[2])
    driver.execute_script("""
      var input = document.getElementById('synthetic-drop');
      var data = new DataTransfer();
      data.items.add(input.files[0]);
      var zone = document.getElementById('drop-all');
      zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
      zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
      input.remove();""")
    wait_for(driver, "return document.querySelectorAll('#documents tbody tr').length === 3", "the dropped document")
    names = driver.execute_script(
        "return Array.from(document.querySelectorAll('#documents tbody tr td:first-child')).map(e => e.textContent)")
    if sorted(names) != sorted(os.path.basename(d) for d in docs):
        fail("documents listed %r" % names)
    shot(driver, shots, "serve-1-documents", "h-documents")


def check_counts(driver, count, shots):
    from selenium.webdriver.support.ui import Select
    Select(driver.find_element("id", "lexicon-source")).select_by_value("builtin:boddison-soan-2021")
    wait_for(driver, "return !document.getElementById('counts').hidden && "
             "document.getElementById('counts-caption').textContent.indexOf('3 document') >= 0", "the counts")
    driver.execute_script("return window.termtallyIdle()")
    shown = driver.execute_script("""
      var out = {};
      document.querySelectorAll('#counts tbody tr').forEach(function (r) {
        out[r.getAttribute('data-term')] = Number(r.querySelector('.count').textContent.replace(/,/g, ''));
      });
      return out;""")
    expected = expected_totals(count)
    if shown != expected:
        differing = {k: (shown.get(k), v) for k, v in expected.items() if shown.get(k) != v}
        fail("counts differ from count --format json (shown, expected): %r" % differing)
    if sum(expected.values()) == 0:
        fail("the three documents have no hits: the comparison proves nothing")
    shot(driver, shots, "serve-2-counts", "h-counts")


def check_report_frame(driver, shots, want_change=False):
    wait_for(driver, "return (document.getElementById('report').src || '').indexOf('/report/') >= 0", "the report frame")
    time.sleep(0.5)
    frame = driver.find_element("id", "report")
    driver.switch_to.frame(frame)
    ids = wait_for(driver, "var s = Array.from(document.querySelectorAll('section[id]')).map(e => e.id);"
                   "return s.length ? s : null", "the report's sections") or []
    for section in ("method", "headline", "terms", "concordance"):
        if section not in ids:
            fail("report section %s missing (sections: %r)" % (section, ids))
    if want_change:
        text = driver.execute_script("var c = document.getElementById('change'); return c ? c.textContent : ''")
        if "OLD" not in text or "NEW" not in text or "G2" not in text:
            fail("the Change section does not compare OLD and NEW: %r" % text[:200])
    driver.switch_to.default_content()


def check_search(driver, pattern, kwic_total, shots):
    box = driver.find_element("id", "search-pattern")
    box.clear()
    box.send_keys(pattern)
    box.submit()
    summary = wait_for(driver, "var t = document.getElementById('search-summary').textContent; return t || null",
                       "search results")
    if summary is None:
        return
    total = int(summary.split(" ")[0].replace(",", ""))
    if summary.split(" ")[1].rstrip(".,") != ("hit" if total == 1 else "hits"):
        fail("the concordance summary's plural is wrong: %r" % summary)
    if total != kwic_total:
        fail("concordance: %d hits shown, kwic finds %d" % (total, kwic_total))
    first = driver.execute_script("""
      var li = document.querySelector('#hits li'); if (!li) { return null; }
      var a = li.querySelector('a');
      return {cite: li.querySelector('.cite').textContent, mark: li.querySelector('mark').textContent,
              href: a ? a.getAttribute('href') : null};""")
    if not first or not re.search(r"p\. \d+", first["cite"]) or not first["href"] \
            or not re.match(r"^/document/\d+#page=\d+$", first["href"]):
        fail("first hit lacks a citation or a #page= link: %r" % first)
    elif not first["mark"].lower().startswith(pattern.rstrip("*").lower()):
        fail("highlighted %r does not match %r" % (first["mark"], pattern))
    else:
        check_search.first_link = first["href"]
    shot(driver, shots, "serve-4-concordance", "h-search")


def download(driver, downloads, table, fmt, name):
    """Clicks the download button of `table` as `fmt`; the file's path once it has arrived."""
    which = "[data-table=%s]" % table if table else ":not([data-table])"
    driver.find_element("css selector", "button.download%s[data-format=%s]" % (which, fmt)).click()
    path = os.path.join(downloads, name)
    return path if wait_for_file(path) else None


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_xlsx(path, sheet=None):
    """The rows of a workbook's sheet (the first when `sheet` is None) as dicts, read by openpyxl."""
    try:
        import openpyxl
    except ImportError:
        fail("openpyxl is missing (Debian: python3-openpyxl)")
        return []
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))
    header = list(rows[0])
    return [dict(zip(header, r)) for r in rows[1:]]


def check_downloads(driver, downloads, count, shots):
    """The counts, category totals and concordance as CSV and XLSX, the report and the lexicon."""
    by_document = expected_by_document(count)
    path = download(driver, downloads, "counts", "csv", "termtally-counts.csv")
    if path:
        got = {(r["path"], r["term"]): int(r["count"]) for r in read_csv(path) if r["kind"] == "term"}
        if got != by_document:
            fail("CSV counts differ from count --format json: %d vs %d rows" % (len(got), len(by_document)))
    path = download(driver, downloads, "counts", "xlsx", "termtally-counts.xlsx")
    if path:
        rows = read_xlsx(path, "terms")
        got = {(r["path"], r["term"]): r["count"] for r in rows if r["kind"] == "term"}
        if got != by_document:
            fail("XLSX counts differ from count --format json")
        if not all(isinstance(v, (int, float)) for v in got.values()):
            fail("XLSX counts are not numbers")
    categories = {(os.path.basename(r["path"]), r["category"]): r["count"]
                  for r in count["rows"] if r["kind"] == "category" and r["path"]}
    for fmt in ("csv", "xlsx"):
        path = download(driver, downloads, "categories", fmt, "termtally-categories." + fmt)
        if path:
            rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
            got = {(r["path"], r["category"]): int(r["count"]) for r in rows}
            if got != categories:
                fail("category totals (%s) differ from count --format json: %r" % (fmt, sorted(got)[:3]))
    hits = driver.execute_script("return document.querySelectorAll('#hits li').length")
    # Words typed in the box since the search do not change the download: it is of the hits shown.
    box = driver.find_element("id", "search-pattern")
    box.clear()
    box.send_keys("nothing-matches-this")
    for fmt in ("csv", "xlsx"):
        path = download(driver, downloads, "concordance", fmt, "termtally-concordance." + fmt)
        if path:
            rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
            if len(rows) != check_downloads.kwic_total or len(rows) < hits:
                fail("concordance (%s): %d rows, kwic finds %d" % (fmt, len(rows), check_downloads.kwic_total))
            elif not all(r["cite"] and r["match"] for r in rows):
                fail("concordance (%s) rows without a citation or a match" % fmt)
    path = download(driver, downloads, None, "html", "termtally-report.html")
    if path:
        with open(path, encoding="utf-8") as f:
            page = f.read()
        if '<section id="terms"' not in page or "termtally report" not in page:
            fail("the HTML download is not the report page")
    path = download(driver, downloads, None, "toml", "lexicon.toml")
    if path:
        import tomllib
        with open(path, "rb") as f:
            lexicon = tomllib.load(f)
        if len(lexicon.get("terms", [])) != len({t for (_, t) in by_document}):
            fail("the lexicon TOML does not hold the counted terms")
        os.remove(path)


def check_scope(driver):
    """Pages 2-3 only: the caption says so and the counts fall; emptied, they are back."""
    before = driver.execute_script("return document.getElementById('counts-caption').textContent")
    box = driver.find_element("id", "scope-pages")
    box.send_keys("2-3")
    driver.find_element("id", "update").click()
    caption = wait_for(driver, "var t = document.getElementById('counts-caption').textContent;"
                       "return t.indexOf('pages 2-3') >= 0 ? t : null", "the scoped counts")
    if caption:
        words = lambda t: int(re.search(r"([\d,]+) words", t).group(1).replace(",", ""))
        if words(caption) >= words(before):
            fail("pages 2-3 counted as many words as the whole: %r vs %r" % (caption, before))
    box.clear()
    driver.find_element("id", "update").click()
    wait_for(driver, "return document.getElementById('counts-caption').textContent === arguments[0]"
             .replace("arguments[0]", repr(before)), "the counts of the whole documents")


def check_term_form(driver, downloads, shots):
    driver.execute_script("document.getElementById('term-editor').open = true")
    driver.find_element("id", "form-copy").click()
    rows = wait_for(driver, "var n = document.querySelectorAll('#form-table tbody tr').length; return n || null",
                    "the term form")
    driver.find_element("id", "form-add").click()
    cells = driver.find_elements("css selector", "#form-table tbody tr:last-child input")
    for cell, value in zip(cells, ["Coproduce", "collaborative", "coproduce, co-produce", ""]):
        cell.send_keys(value)
    driver.find_element("id", "form-toml").click()
    path = os.path.join(downloads, "lexicon.toml")
    if wait_for_file(path):
        import tomllib
        with open(path, "rb") as f:
            terms = tomllib.load(f)["terms"]
        added = [t for t in terms if t["label"] == "Coproduce"]
        if len(terms) != (rows or 0) + 1 or not added or added[0]["forms"] != ["coproduce", "co-produce"]:
            fail("the TOML download does not hold the form's %s+1 terms: %r" % (rows, terms[-1:]))
        os.remove(path)  # the Lexicon (TOML) button downloads under the same name later
    shot(driver, shots, "serve-3-lexicon-form", "h-lexicon")
    driver.execute_script("document.getElementById('term-editor').open = false")


DRAG_ROW = """
  var row = document.querySelector('#documents tbody tr[data-id="' + arguments[0] + '"]');
  var zone = document.getElementById(arguments[1]);
  var data = new DataTransfer();
  row.dispatchEvent(new DragEvent('dragstart', {dataTransfer: data, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));"""


def check_compare(driver, docs, downloads, diff_csv, shots):
    """DOC1 into OLD by its Group select (the keyboard's way), DOC2 and DOC3 dragged from the
    list into NEW; the zones list them, the report gains its Change section with the keyness
    chart, and the Change download equals `diff --old DOC1 --new DOC2 DOC3 --format csv`."""
    from selenium.webdriver.support.ui import Select
    first = os.path.basename(docs[0])
    rows = driver.execute_script("""return Array.from(document.querySelectorAll('#documents tbody tr'))
      .map(function (r) { return [r.getAttribute('data-id'), r.cells[0].textContent]; });""")
    for row_id, name in rows:
        if name == first:
            Select(driver.find_element("css selector", "#documents tbody tr[data-id='%s'] select" % row_id)) \
                .select_by_value("old")
        else:
            driver.execute_script(DRAG_ROW, row_id, "drop-new")
    members = driver.execute_script("""return ['old', 'new'].map(function (g) {
      return Array.from(document.querySelectorAll('#members-' + g + ' li')).map(function (li) { return li.textContent; });
    });""")
    if members != [[first], [os.path.basename(d) for d in docs[1:]]]:
        fail("the OLD and NEW zones hold %r" % members)
    if driver.execute_script("return document.getElementById('count-new').textContent") != "2 documents":
        fail("the NEW zone does not say '2 documents'")
    time.sleep(0.3)
    driver.execute_script("return window.termtallyIdle()")
    check_report_frame(driver, shots, want_change=True)
    driver.execute_script("document.getElementById('h-compare').scrollIntoView()")
    shot(driver, shots, "serve-5-compare-groups")
    driver.execute_script("document.getElementById('h-report').scrollIntoView()")
    driver.switch_to.frame(driver.find_element("id", "report"))
    chart = driver.execute_script("var c = document.getElementById('change'); if (!c) { return 0; }"
                                  "c.scrollIntoView(); return c.querySelectorAll('figure svg').length")
    driver.switch_to.default_content()
    if not chart:
        fail("the Change section has no keyness chart")
    shot(driver, shots, "serve-5-compare")
    expected = read_csv(diff_csv)
    path = download(driver, downloads, "change", "csv", "termtally-change.csv")
    if path and read_csv(path) != expected:
        fail("the Change CSV differs from diff --format csv")
    path = download(driver, downloads, "change", "xlsx", "termtally-change.xlsx")
    if path:
        terms = {r["term"]: r for r in expected if r.get("kind") == "term"}
        sheet = [r for r in read_xlsx(path) if r.get("kind") == "term"]
        got = {r["term"]: (r["old_count"], r["new_count"]) for r in sheet}
        want = {t: (int(r["old_count"]), int(r["new_count"])) for t, r in terms.items()}
        if not want or got != want:
            fail("the Change XLSX counts differ from diff's: %r" % list(got.items())[:3])
    # Each change redraws the list: find the selects afresh.
    for n in range(len(rows)):
        Select(driver.find_elements("css selector", "#documents tbody select")[n]).select_by_value("all")


def check_hostile(driver, workdir):
    # "/" cannot be in a file name: the payload's closing tag is spelled without it.
    name = "<img src=x onerror=alert(1)> <script>alert(2).txt"
    path = os.path.join(workdir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("Parents were consulted. <script>alert(3)</script> <img src=x onerror=alert(4)>")
    driver.find_element("id", "files").send_keys(path)
    wait_for(driver, "return document.querySelectorAll('#documents tbody tr').length === 4", "the hostile document")
    driver.execute_script("return window.termtallyIdle()")
    time.sleep(0.5)
    listed = driver.execute_script("return document.getElementById('documents').textContent")
    if name not in listed:
        fail("the hostile name is not shown as text")
    if driver.execute_script("return document.querySelectorAll('img').length"):
        fail("an <img> from a document name reached the page")
    # A corrupt PDF: listed with its one-line reason, the others go on.
    corrupt = os.path.join(workdir, "corrupt.pdf")
    with open(corrupt, "wb") as f:
        f.write(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref")
    driver.find_element("id", "files").send_keys(corrupt)
    reason = wait_for(driver, "var li = document.querySelector('#failures li'); return li ? li.textContent : null",
                      "the failed document's reason")
    if not reason or not reason.startswith("corrupt.pdf: ") or "\n" in reason:
        fail("the corrupt PDF is not listed with a one-line reason: %r" % reason)
    if driver.execute_script("return document.querySelectorAll('#documents tbody tr').length") != 4:
        fail("the corrupt PDF changed the documents listed")
    shot(driver, getattr(check_hostile, "shots", None), "serve-6-failure-and-hostile-name", "h-documents")
    check_report_frame(driver, None)
    driver.switch_to.frame(driver.find_element("id", "report"))
    if driver.execute_script("return window.__dialogs ? window.__dialogs.length : 0"):
        fail("a dialog opened in the report")
    driver.switch_to.default_content()


ATTACKER_PAGE = """<!DOCTYPE html><html><head><title>another local page</title></head><body><script>
window.__done = false; window.__leak = null;
var app = 'http://127.0.0.1:%d';
Promise.allSettled([
  fetch(app + '/api/remove', {method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: {'Content-Type': 'text/plain'}, body: '{"ids":[1,2,3,4,5,6,7,8]}'}),
  fetch(app + '/api/remove', {method: 'POST', credentials: 'include',
    headers: {'Content-Type': 'application/json', 'X-Termtally-Token': 'guess'}, body: '{"ids":[1,2,3]}'}),
  fetch(app + '/api/state', {credentials: 'include'}).then(function (r) { return r.text(); })
    .then(function (t) { window.__leak = t; })
]).then(function () { window.__done = true; });
</script></body></html>"""


def check_cross_origin(driver, app_port):
    """A page served on another local port, in the same browser (the cookie is sent: same site),
    tries to remove the documents and to read the state: both refused, nothing removed."""
    import http.server
    import threading
    page = (ATTACKER_PAGE % app_port).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    other = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    before = driver.execute_script("return document.querySelectorAll('#documents tbody tr').length")
    app_url = driver.current_url
    try:
        driver.get("http://127.0.0.1:%d/" % other.server_address[1])
        wait_for(driver, "return window.__done === true", "the other page's requests")
        if driver.execute_script("return window.__leak"):
            fail("another origin read the app's state")
    finally:
        other.shutdown()
    driver.get_log("browser")  # the refused requests are logged as errors: expected here
    driver.get(app_url)
    after = wait_for(driver, "var n = document.querySelectorAll('#documents tbody tr').length; return n || null",
                     "the documents after the other page's visit")
    if after != before:
        fail("a page on another port removed documents: %s -> %s" % (before, after))


def check_pdf_link(driver, shots):
    """The first hit's link opens the PDF in the browser's viewer (served sandboxed, nosniff)."""
    href = getattr(check_search, "first_link", None)
    if not href:
        return
    app = driver.current_url.split("/", 3)
    driver.get(app[0] + "//" + app[2] + href)
    kind = wait_for(driver, "return document.contentType === 'application/pdf' ? document.contentType : null",
                    "the PDF viewer", timeout=20)
    if kind and shots:
        time.sleep(2)  # the viewer draws the page after the document loads
        shot(driver, shots, "serve-7-pdf-page")


def check_security(driver, url_seen):
    if "token=" in url_seen:
        fail("the address bar still holds the token: %s" % url_seen)
    dialogs = driver.execute_script("return window.__dialogs")
    if dialogs:
        fail("dialogs opened: %r" % dialogs)
    violations = driver.execute_script("return window.__violations")
    if violations:
        fail("Content-Security-Policy violations: %r" % violations)
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            fail("console error: %s" % entry.get("message"))


def step(run, name):
    """Runs one check, saying on stderr how long it took (the test is meant to take seconds)."""
    started = time.time()
    run()
    print("%s: %.1f s" % (name, time.time() - started), file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("termtally")
    parser.add_argument("docs", nargs=3)
    parser.add_argument("--count", required=True)
    parser.add_argument("--kwic-total", type=int, required=True)
    parser.add_argument("--pattern", required=True)
    parser.add_argument("--diff", required=True)
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    args.docs = [os.path.abspath(d) for d in args.docs]
    import json
    count = json.load(open(args.count, encoding="utf-8"))
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="check-serve-")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    server = subprocess.Popen([args.termtally, "serve", "--no-open", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=dict(os.environ, TMPDIR=work))
    driver = None
    try:
        url = server.stdout.readline().strip().split("open ", 1)[1]
        driver = start_browser(os.path.join(work, "profile"))
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        driver.get(url)
        wait_for(driver, "return document.readyState === 'complete' && document.getElementById('lexicon-source').options.length > 0",
                 "the page")
        url_seen = driver.current_url
        step(lambda: check_labels(driver), "check_labels")
        step(lambda: check_keyboard(driver), "check_keyboard")
        step(lambda: add_documents(driver, args.docs, args.screenshots), "add_documents")
        step(lambda: check_counts(driver, count, args.screenshots), "check_counts")
        step(lambda: check_contrast(driver), "check_contrast")
        step(lambda: check_report_frame(driver, args.screenshots), "check_report_frame")
        step(lambda: check_term_form(driver, downloads, args.screenshots), "check_term_form")
        step(lambda: check_search(driver, args.pattern, args.kwic_total, args.screenshots), "check_search")
        check_downloads.kwic_total = args.kwic_total
        step(lambda: check_downloads(driver, downloads, count, args.screenshots), "check_downloads")
        step(lambda: check_scope(driver), "check_scope")
        step(lambda: check_compare(driver, args.docs, downloads, args.diff, args.screenshots), "check_compare")
        check_hostile.shots = args.screenshots
        step(lambda: check_hostile(driver, work), "check_hostile")
        step(lambda: check_security(driver, url_seen), "check_security")
        step(lambda: check_cross_origin(driver, int(url.split(":")[2].split("/")[0])), "check_cross_origin")
        step(lambda: check_pdf_link(driver, args.screenshots), "check_pdf_link")
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d browser check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("serve: every browser check passed")


if __name__ == "__main__":
    main()
