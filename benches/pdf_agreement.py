#!/usr/bin/env python3
"""Reading-order agreement of termtally's PDF text with poppler's pdftotext (issue 16).

For every good PDF of the shared corpora (*.pdf and ofsted-area-send/*.pdf, minus *.corrupt.pdf)
and for each termtally binary given, prints per file:
  tokens  multiset Jaccard of word tokens (sum of minimum counts / sum of maximum counts)
  pairs   the same over adjacent-token pairs (token i, token i+1), so reading order counts
  one     one-letter tokens termtally gives beyond pdftotext's (count minus pdftotext's count,
          per letter, summed; a letter split out of a word shows up here)
termtally runs `extract --keep-headers` (removing running headers is a deliberate difference);
pdftotext runs in its default reading-order mode. Both texts are lower-cased, curly apostrophes
unified to ' and every dash to -, then tokens are runs of letters and digits (apostrophes inside
a word kept).

Usage: benches/pdf_agreement.py [--corpora DIR] [--pages F:L --only NAME] BINARY [BINARY...]
"""

import argparse
import collections
import concurrent.futures
import pathlib
import re
import subprocess
import sys

TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
UNIFY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-",
                       "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


def tokens(text):
    return TOKEN.findall(text.lower().translate(UNIFY))


def jaccard(a, b):
    a, b = collections.Counter(a), collections.Counter(b)
    low = sum((a & b).values())
    high = sum((a | b).values())
    return 1.0 if high == 0 else low / high


def measure(binary, pdf, pages):
    args = [binary, "extract", "--keep-headers", str(pdf)]
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    if pages:
        first, last = pages
        out = "\f".join(out.split("\f")[first - 1:last])
    return tokens(out)


def reference(pdf, pages):
    args = ["pdftotext"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[1])]
    out = subprocess.run(args + [str(pdf), "-"], capture_output=True, check=True).stdout
    return tokens(out.decode("utf-8", "replace"))


def pairs(toks):
    return list(zip(toks, toks[1:]))


def extra_one_letter(mine, theirs):
    a = collections.Counter(t for t in mine if len(t) == 1)
    b = collections.Counter(t for t in theirs if len(t) == 1)
    return sum((a - b).values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", default=str(pathlib.Path(__file__).resolve().parents[1] / "../shared/corpora"))
    parser.add_argument("--pages", help="F:L, with --only")
    parser.add_argument("--only", help="one file name")
    parser.add_argument("binaries", nargs="+")
    opts = parser.parse_args()
    corpora = pathlib.Path(opts.corpora)
    pdfs = sorted(p for p in list(corpora.glob("*.pdf")) + list(corpora.glob("ofsted-area-send/*.pdf"))
                  if ".corrupt." not in p.name)
    if opts.only:
        pdfs = [p for p in pdfs if p.name == opts.only]
    pages = tuple(int(x) for x in opts.pages.split(":")) if opts.pages else None
    if not pdfs:
        sys.exit(f"no PDFs under {corpora}")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        refs = list(pool.map(lambda p: reference(p, pages), pdfs))
        results = [list(pool.map(lambda p: measure(b, p, pages), pdfs)) for b in opts.binaries]
    header = "".join(f" | tokens{i} pairs{i} one{i}" for i in range(len(opts.binaries)))
    print(f"file{header}")
    worst = [[1.0, 1.0, 0] for _ in opts.binaries]
    for k, pdf in enumerate(pdfs):
        cells = []
        for i, res in enumerate(results):
            t = jaccard(res[k], refs[k])
            p = jaccard(pairs(res[k]), pairs(refs[k]))
            o = extra_one_letter(res[k], refs[k])
            worst[i][0] = min(worst[i][0], t)
            worst[i][1] = min(worst[i][1], p)
            worst[i][2] += o
            cells.append(f" | {t:.4f} {p:.4f} {o}")
        print(f"{pdf.relative_to(corpora)}{''.join(cells)}")
    for i, b in enumerate(opts.binaries):
        print(f"# {b}: {len(pdfs)} files, min tokens {worst[i][0]:.4f}, min pairs {worst[i][1]:.4f}, "
              f"extra one-letter tokens {worst[i][2]}")


if __name__ == "__main__":
    main()
