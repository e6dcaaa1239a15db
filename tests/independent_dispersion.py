#!/usr/bin/env python3
"""Independent check of `termtally words --dispersion` (range, DP, DPnorm, Juilland's D).

Reads the text termtally itself extracts (`termtally extract --format jsonl`: one record per
block, with its page), so only the dispersion arithmetic and the token rule are compared, and
exits 1 if any value differs from `termtally words --dispersion --format json`.

The rules, spelled out independently of the Rust code:
  - token: [^\\W_]+(?:['-][^\\W_]+)* (as tests/independent_count.py), lower-cased (str.lower).
  - parts: the pages of each document, in order of first appearance, each with its number of
    tokens as its size; pages without tokens are no part. A document without pages is cut into
    10 parts by token position: token i (0-based, over the whole document) is in part
    floor(i * 10 / N) of N tokens (fewer parts than 10 when N < 10). The parts of all documents
    are taken one after another.
  - with v_i the word's frequency in part i, f = sum v_i, s_i = size_i / total size, n parts:
    DP = 0.5 * sum |v_i / f - s_i| (Gries 2008); DPnorm = DP / (1 - min s_i) (Lijffijt & Gries
    2012); Juilland's D = 1 - (sd / mean) / sqrt(n - 1), with sd the population standard
    deviation (statistics.pstdev) of the v_i and mean = f / n. Range = parts with v_i > 0.
    All three are null for one part.

Usage: independent_dispersion.py --termtally BIN --words W1,W2,... FILE...
"""

import argparse
import collections
import json
import math
import re
import statistics
import subprocess
import sys

TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def parts_of(termtally, path):
    """[(size, Counter)] of one document's parts."""
    out = subprocess.run(
        [termtally, "extract", "--format", "jsonl", path],
        check=True, capture_output=True, text=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    tokens_per_block = [(r["page"], [t.lower() for t in TOKEN.findall(r["text"])]) for r in records]
    if any(page is not None for page, _ in tokens_per_block):
        pages = {}
        for page, tokens in tokens_per_block:
            pages.setdefault(page, collections.Counter()).update(tokens)
        return [(sum(c.values()), c) for c in pages.values() if sum(c.values()) > 0]
    tokens = [t for _, ts in tokens_per_block for t in ts]
    n = min(10, len(tokens))
    counters = [collections.Counter() for _ in range(n)]
    for i, t in enumerate(tokens):
        counters[i * n // len(tokens)][t] += 1
    return [(sum(c.values()), c) for c in counters]


def dispersion(sizes, freqs):
    n, total, f = len(sizes), sum(sizes), sum(freqs)
    result = {"range_parts": sum(1 for v in freqs if v > 0), "parts": n}
    if n < 2 or f == 0:
        return dict(result, dp=None, dp_norm=None, juilland_d=None)
    shares = [s / total for s in sizes]
    dp = 0.5 * sum(abs(v / f - s) for v, s in zip(freqs, shares))
    mean = f / n
    d = 1 - (statistics.pstdev(freqs) / mean) / math.sqrt(n - 1)
    return dict(result, dp=dp, dp_norm=dp / (1 - min(shares)), juilland_d=d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--termtally", required=True)
    ap.add_argument("--words", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    parts = [p for path in args.files for p in parts_of(args.termtally, path)]
    sizes = [size for size, _ in parts]
    report = json.loads(subprocess.run(
        [args.termtally, "words", "--dispersion", "--format", "json", *args.files],
        check=True, capture_output=True, text=True,
    ).stdout)
    rows = {r["word"]: r for r in report["rows"]}
    problems = 0
    for word in args.words.split(","):
        expected = dispersion(sizes, [c[word] for _, c in parts])
        got = rows.get(word)
        if got is None:
            print(f"{word}: not listed by termtally")
            problems += 1
            continue
        for key, want in expected.items():
            have = got[key]
            same = (want is None and have is None) or (
                want is not None and have is not None and abs(want - have) < 1e-9)
            if not same:
                print(f"{word}: {key} = {have} (termtally) but {want} (Python)")
                problems += 1
        print(f"{word}: " + ", ".join(f"{k} {v}" for k, v in expected.items()))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
