#!/usr/bin/env python3
"""Independent check of exclusions: "partnership" minus "local area partnership", per document.

Reads the text termtally itself extracts (`termtally extract --format jsonl`, one block per line)
so only the counting is compared, and counts with Python's `re`, sharing no code with termtally:

  - token: a maximal run of letters/digits joined by single '-' or "'" between them:
    [^\\W_]+(?:['-][^\\W_]+)*   (so "partnership's" and "local-area" are single tokens)
  - word mode, case-insensitive (str.lower): a hit of "partnership" is a token equal to it;
    an occurrence of "local area partnership" is the tokens "local", "area", "partnership" in a
    row separated by white space only, inside one block.
  - expected count = hits of "partnership" - occurrences of "local area partnership" (each holds
    exactly one hit, its last token); expected excluded = those occurrences.

Compares with `termtally count --lexicon LEX --format json` per document (LEX: one term
"Partnership", forms ["partnership"], exclude ["local area partnership"]), and with the same
count without the exclusion (count + excluded must equal it). Prints one line per document and
exits 1 on any difference.

Usage: independent_exclusion.py --termtally BIN --lexicon LEX.toml --plain PLAIN.toml FILE...
"""

import argparse
import collections
import json
import re
import subprocess
import sys

TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def independent(termtally, files):
    """{document: (partnership tokens, 'local area partnership' occurrences)}"""
    hits = collections.Counter()
    phrases = collections.Counter()
    for line in run([termtally, "extract", "--format", "jsonl", *files]).splitlines():
        block = json.loads(line)
        text = block["text"]
        tokens = [(m.group().lower(), m.start(), m.end()) for m in TOKEN.finditer(text)]
        doc = block["document"]
        for i, (tok, _, _) in enumerate(tokens):
            if tok != "partnership":
                continue
            hits[doc] += 1
            if i >= 2 and tokens[i - 2][0] == "local" and tokens[i - 1][0] == "area":
                gaps = [text[tokens[i - 2][2]:tokens[i - 1][1]], text[tokens[i - 1][2]:tokens[i][1]]]
                if all(g and g.isspace() for g in gaps):
                    phrases[doc] += 1
    return hits, phrases


def termtally_counts(termtally, lexicon, files):
    report = json.loads(run([termtally, "count", "--lexicon", lexicon, "--format", "json", *files]))
    return {
        r["path"]: (r["count"], r["excluded"])
        for r in report["rows"]
        if r["kind"] == "term" and r["term"] == "Partnership"
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--termtally", required=True)
    ap.add_argument("--lexicon", required=True)
    ap.add_argument("--plain", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    hits, phrases = independent(a.termtally, a.files)
    with_exclusion = termtally_counts(a.termtally, a.lexicon, a.files)
    plain = termtally_counts(a.termtally, a.plain, a.files)
    bad = 0
    for f in a.files:
        expected = (hits[f] - phrases[f], phrases[f])
        got = with_exclusion.get(f)
        without = plain.get(f)
        ok = got == expected and without is not None and without[0] == got[0] + got[1]
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {f}: python {expected[0]} counted, {expected[1]} excluded; "
              f"termtally {got}; without exclusion {without}")
    total = sum(hits[f] - phrases[f] for f in a.files), sum(phrases[f] for f in a.files)
    print(f"summary: {len(a.files)} documents, {len(a.files) - bad} agree; "
          f"counted {total[0]}, excluded {total[1]}")
    sys.exit(1 if bad else 0)


main()
