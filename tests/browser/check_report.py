#!/usr/bin/env python3
"""Opens a termtally HTML report in headless Chromium (network off) and checks it as a reader
would get it: no console errors, no requests, no blocked content (CSP), no dialogs, no script
but the report's own; every chart mark's value and every table cell equal to `count --format
json` (and `diff --format json` for the Change section); no sideways scrolling at 390 px; and,
printed to PDF by Chromium, every section title present.

Usage: check_report.py REPORT.html COUNT.json [--diff DIFF.json] [--hostile]
                       [--screenshots DIR] [--pdf PDF]
Exit 0 when every check passes; otherwise it prints each failure and exits 1. Exit 3 when
Chromium or chromedriver or selenium is missing (the Rust test then skips loudly).
"""

import argparse
import base64
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Nothing may be resolved: any attempt at the network fails (and is seen in the log).
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, file=sys.stderr)


def close(a, b, tolerance):
    return abs(float(a) - float(b)) <= tolerance + 1e-9


def wilson(successes, trials, z=1.959963984540054):
    """The 95% Wilson score interval in percent, computed here independently."""
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - half) * 100), min(100.0, (centre + half) * 100)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


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
    for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + user_data_dir, "--window-size=1100,900"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


# Runs before any script of the page: records dialogs and CSP violations.
WATCH = """
window.__dialogs = [];
window.__violations = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (m) { window.__dialogs.push(name + ': ' + m); };
}
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def check_security(driver, hostile):
    dialogs = driver.execute_script("return window.__dialogs")
    if dialogs:
        fail("dialogs opened: %r" % dialogs)
    violations = driver.execute_script("return window.__violations")
    if violations:
        fail("Content-Security-Policy violations: %r" % violations)
    scripts = driver.execute_script("return document.scripts.length")
    if scripts != 1:
        fail("%d <script> elements; the report has exactly one" % scripts)
    images = driver.execute_script("return document.images.length")
    if images:
        fail("%d <img> elements; the report has none" % images)
    handlers = driver.execute_script(
        "return Array.from(document.querySelectorAll('*')).flatMap(e => "
        "Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
    )
    if handlers:
        fail("event-handler attributes in the page: %r" % handlers[:5])
    if hostile:
        text = driver.execute_script("return document.body.textContent")
        for needle in ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</script>"):
            if needle not in text:
                fail("hostile text %r is not shown as text (dropped or interpreted)" % needle)


def check_logs(driver, page_url):
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            fail("console error: %s" % entry.get("message"))
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method = message.get("method", "")
        params = message.get("params", {})
        if params.get("documentURL", page_url) != page_url and method == "Network.requestWillBeSent":
            continue  # the browser's own start page, before the report was opened
        if method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not (url.startswith("file:") or url.startswith("data:") or url.startswith("about:")):
                fail("the page requested %s" % url)
        elif method == "Network.loadingFailed" and params.get("blockedReason"):
            fail("a request was blocked: %s" % params.get("blockedReason"))


def marks(driver, chart):
    return driver.execute_script(
        """
        return Array.from(document.querySelectorAll('rect.mark[data-chart="' + arguments[0] + '"]')).map(function (r) {
          var d = {}; for (const a of r.attributes) { if (a.name.startsWith('data-')) d[a.name.slice(5)] = a.value; }
          var t = r.querySelector('title'); d.title = t ? t.textContent : null;
          return d;
        });""",
        chart,
    )


def table_rows(driver, selector):
    return driver.execute_script(
        """
        return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr')).map(function (tr) {
          return {kind: tr.getAttribute('data-kind'), document: tr.getAttribute('data-document'),
                  category: tr.getAttribute('data-category'),
                  cells: Array.from(tr.cells).map(function (c) { return c.textContent.trim(); })};
        });""",
        selector,
    )


def check_counts(driver, count):
    rows = count["rows"]
    terms = {(r["path"] or r["document"], r["term"]): r for r in rows if r["kind"] == "term"}
    categories = {(r["path"] or r["document"], r["category"]): r for r in rows if r["kind"] == "category"}
    names = [d["path"] for d in count["documents"]]
    paged = {d["path"] for d in count["documents"] if d["pages"]}

    # Terms x documents: one table row per JSON row, every cell equal.
    table = table_rows(driver, "#terms-table")
    if len(table) != len(rows):
        fail("terms table has %d rows, count --format json %d" % (len(table), len(rows)))
    for got, want in zip(table, rows):
        document, term, category, hits, words, rate, share, dp = got["cells"]
        expected = [want["document"], want["term"] or "", want["category"], f"{want['count']:,}", f"{want['tokens']:,}"]
        if [document, term, category, hits, words] != expected or got["kind"] != want["kind"]:
            fail("terms table row %r != %r" % (got["cells"], want))
        if not close(rate, want["rate_per_10k"], 0.005):
            fail("rate %s != %s (%s, %s)" % (rate, want["rate_per_10k"], document, term))
        if (share == "") != (want["share"] is None) or (share and not close(share, want["share"], 0.05)):
            fail("share %r != %r (%s, %s)" % (share, want["share"], document, category))
        if (dp == "\u2013") != (want["dp"] is None) or (want["dp"] is not None and not close(dp, want["dp"], 0.0005)):
            fail("DP %r != %r (%s, %s)" % (dp, want["dp"], document, term))

    # Heat map: one mark per document and term with hits somewhere; count and rate as in JSON.
    heat = marks(driver, "heat")
    used_terms = {r["term"] for r in rows if r["kind"] == "term" and r["count"] > 0}
    if len(heat) != len(names) * len(used_terms):
        fail("heat map has %d marks, expected %d" % (len(heat), len(names) * len(used_terms)))
    for m in heat:
        want = terms.get((m["document"], m["term"]))
        if want is None:
            fail("heat mark for unknown %r" % m)
            continue
        if int(m["count"]) != want["count"] or not close(m["value"], want["rate_per_10k"], 0.005):
            fail("heat mark %r != %r" % (m, want))
        if "%.2f per 10,000" % want["rate_per_10k"] not in m["title"] and not close(
            m["title"].split(", ")[-1].split(" per")[0], want["rate_per_10k"], 0.005
        ):
            fail("heat title %r does not give the rate %s" % (m["title"], want["rate_per_10k"]))
        if ("%d hit" % want["count"]) not in m["title"]:
            fail("heat title %r does not give the count %d" % (m["title"], want["count"]))

    # Headline: share marks and the table beside them, with the Wilson interval recomputed here.
    totals = {}
    for (document, _), r in categories.items():
        totals[document] = totals.get(document, 0) + r["count"]
    shares = marks(driver, "share")
    expected_bars = sum(1 for r in categories.values() if r["share"] is not None)
    if len(shares) != expected_bars:
        fail("headline has %d bars, expected %d" % (len(shares), expected_bars))
    for m in shares:
        want = categories[(m["document"], m["category"])]
        if not close(m["value"], want["share"], 0.05):
            fail("share mark %r != %r" % (m, want))
        lo, hi = wilson(want["count"], totals[m["document"]])
        title = m["title"]
        try:
            got_lo, got_hi = title.split("95% CI ")[1].rstrip("%").split("–")
            if not (close(got_lo, lo, 0.05) and close(got_hi, hi, 0.05)):
                fail("Wilson interval in %r != %.2f–%.2f" % (title, lo, hi))
        except (IndexError, ValueError):
            fail("no interval in title %r" % title)
        if "of %d hits (%d)" % (totals[m["document"]], want["count"]) not in title:
            fail("title %r does not give the hits %d of %d" % (title, want["count"], totals[m["document"]]))
    for got in table_rows(driver, "#headline-table"):
        want = categories[(got["document"], got["category"])]
        _, category, hits, total, share, interval = got["cells"]
        if int(hits) != want["count"] or int(total) != totals[got["document"]]:
            fail("headline table row %r != %r" % (got, want))
        if (share == "") != (want["share"] is None) or (share and not close(share, want["share"], 0.05)):
            fail("headline share %r != %r" % (share, want["share"]))
        if want["share"] is not None:
            lo, hi = wilson(want["count"], totals[got["document"]])
            got_lo, got_hi = interval.split("–")
            if not (close(got_lo, lo, 0.05) and close(got_hi, hi, 0.05)):
                fail("headline interval %r != %.2f–%.2f" % (interval, lo, hi))

    # Dispersion: the marks of a term in a document add up to its count there.
    per_page = {}
    for m in marks(driver, "dispersion"):
        key = (m["document"], m["term"])
        per_page[key] = per_page.get(key, 0) + int(m["value"])
        if ("%s hit" % m["value"]) not in m["title"] or ("p. %s" % m["page"]) not in m["title"]:
            fail("dispersion title %r does not give page %s and hits %s" % (m["title"], m["page"], m["value"]))
    for (document, term), r in terms.items():
        if document not in paged or r["count"] == 0:
            continue  # the corpus total, a term not found, or a format without pages
        if per_page.get((document, term), 0) != r["count"]:
            fail("dispersion of %s in %s adds up to %d, count says %d"
                 % (term, document, per_page.get((document, term), 0), r["count"]))


def check_diff(driver, diff):
    rows = {r["term"]: r for r in diff["rows"] if r["kind"] == "term"}
    bars = marks(driver, "keyness")
    expected = [t for t, r in rows.items() if r["old_count"] + r["new_count"] > 0]
    if len(bars) != len(expected):
        fail("keyness chart has %d bars, expected %d" % (len(bars), len(expected)))
    for m in bars:
        want = rows[m["term"]]
        if not close(m["value"], want["log_ratio"], 0.005) or not close(m["g2"], want["log_likelihood"], 0.005):
            fail("keyness mark %r != %r" % (m, want))
        if want["significance"] and want["significance"] not in m["title"]:
            fail("keyness title %r lacks the significance %s" % (m["title"], want["significance"]))
    table = table_rows(driver, "#change-terms")
    want_rows = [r for r in diff["rows"] if r["kind"] == "term"]
    if len(table) != len(want_rows):
        fail("change table has %d rows, diff %d" % (len(table), len(want_rows)))
    for got, want in zip(table, want_rows):
        c = got["cells"]
        # term, category, old, old/10k, new, new/10k, change/10k, status, G2, sig, LR, %DIFF, keyword
        if [c[0], c[1], c[2], c[4], c[7], c[9], c[12]] != [
            want["term"], want["category"], f"{want['old_count']:,}", f"{want['new_count']:,}",
            want["status"], want["significance"], want["keyword"],
        ]:
            fail("change row %r != %r" % (c, want))
        for i, key, tolerance in ((3, "old_per_10k", 0.005), (5, "new_per_10k", 0.005),
                                  (6, "change_per_10k", 0.005), (8, "log_likelihood", 0.005),
                                  (10, "log_ratio", 0.005), (11, "pct_diff", 0.05)):
            if want[key] is None:
                if c[i] != "":
                    fail("change %s %r, diff has none" % (key, c[i]))
            elif not close(c[i], want[key], tolerance):
                fail("change %s %r != %r (%s)" % (key, c[i], want[key], want["term"]))


def check_sorting(driver):
    """A click on a heading of the terms table sorts it by that column (the report's script)."""
    buttons = driver.find_elements("css selector", "#terms-table thead th button")
    if len(buttons) < 4:
        fail("the terms table has no sort buttons (did the script run?)")
        return
    # Count, then Words (its cells have thousands separators: "2,288" must sort as 2288).
    for column, name in ((3, "Count"), (4, "Words")):
        for clicks, order in ((1, "ascending"), (2, "descending")):
            buttons[column].click()
            counts = [int(r["cells"][column].replace(",", "")) for r in table_rows(driver, "#terms-table")]
            want = sorted(counts, reverse=(order == "descending"))
            if counts != want:
                fail("after %d click(s) on %s the table is not in %s order" % (clicks, name, order))
        driver.refresh()
        buttons = driver.find_elements("css selector", "#terms-table thead th button")


def check_phone_width(driver):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    driver.refresh()
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    print("at 390 px: scrollWidth %d, innerWidth %d" % (max(widths[0], widths[1]), widths[2]))
    if widths[2] > 400:
        fail("the phone emulation did not take: innerWidth %d" % widths[2])
    if max(widths[0], widths[1]) > widths[2]:
        fail("at 390 px the page scrolls sideways: scrollWidth %r > innerWidth %d" % (widths[:2], widths[2]))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def check_print(report, titles, pdf_path):
    """Chromium's own --print-to-pdf, then pdftotext: every section title is in the PDF."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [find_chromium()] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile,
                                                 "--print-to-pdf=" + pdf_path, "--no-pdf-header-footer",
                                                 "file://" + os.path.abspath(report)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    text = subprocess.run(["pdftotext", pdf_path, "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for title in titles:
        if " ".join(title.split()) not in flat:
            fail("printed PDF lacks the section title %r" % title)


def screenshots(driver, directory):
    os.makedirs(directory, exist_ok=True)
    driver.set_window_size(1000, 2000)
    shots = {
        "report-headline.png": "#headline",
        "report-dispersion.png": "#dispersion",
        "report-change.png": "#change figure",
    }
    for name, selector in shots.items():
        found = driver.find_elements("css selector", selector)
        if not found:
            continue
        element = found[0]
        if selector == "#dispersion":
            # The introduction and two terms (the whole section is very long): copied into one
            # box for the picture, Coproduction and Partnership when the lexicon has them.
            element = driver.execute_script("""
                var s = arguments[0], box = document.createElement('div');
                box.appendChild(s.querySelector('h2').cloneNode(true));
                box.appendChild(s.querySelector('p').cloneNode(true));
                var heads = Array.from(s.querySelectorAll('h3'));
                var wanted = heads.filter(h => /^(Coproduction|Partnership) /.test(h.textContent));
                if (wanted.length < 2) wanted = heads.slice(0, 2);
                wanted.forEach(function (h) {
                  box.appendChild(h.cloneNode(true));
                  box.appendChild(h.nextElementSibling.querySelector('figure').cloneNode(true));
                });
                s.parentNode.insertBefore(box, s);
                return box;""", element)
            driver.execute_script("arguments[0].scrollIntoView()", element)
            element.screenshot(os.path.join(directory, name))
        else:
            driver.execute_script("arguments[0].scrollIntoView()", element)
            element.screenshot(os.path.join(directory, name))
        print("screenshot", os.path.join(directory, name))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("count")
    parser.add_argument("--diff")
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--screenshots")
    parser.add_argument("--pdf")
    args = parser.parse_args()
    with open(args.count) as f:
        count = json.load(f)
    diff = None
    if args.diff:
        with open(args.diff) as f:
            diff = json.load(f)

    with tempfile.TemporaryDirectory() as profile:
        driver = start_browser(profile)
        try:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
                "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
            driver.get_log("performance")  # drains what the browser's start page did
            page_url = "file://" + os.path.abspath(args.report)
            driver.get(page_url)
            titles = driver.execute_script(
                "return Array.from(document.querySelectorAll('section > h2')).map(h => h.textContent)")
            check_security(driver, args.hostile)
            check_logs(driver, page_url)
            check_counts(driver, count)
            if diff is not None:
                check_diff(driver, diff)
            check_sorting(driver)
            check_phone_width(driver)
            check_security(driver, args.hostile)
            check_logs(driver, page_url)
            if args.screenshots:
                screenshots(driver, args.screenshots)
        finally:
            driver.quit()
    if len(titles) < 5:
        fail("only %d section titles: %r" % (len(titles), titles))
    with tempfile.TemporaryDirectory() as tmp:
        check_print(args.report, titles, args.pdf or os.path.join(tmp, "report.pdf"))
    if failures:
        print("%d checks failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("report OK: %s (%d section titles)" % (args.report, len(titles)))


if __name__ == "__main__":
    main()
