#!/usr/bin/env python3
"""Independent checks of `termtally ngrams` and `termtally collocates` (issue 21).

Both are recomputed in plain Python over the blocks termtally itself extracts (`termtally extract
--format jsonl`), with the token rule and case folding of independent_count.py (a regex and
str.lower, no code shared with termtally), and the script exits 1 if anything differs.

The rules, spelled out independently of the Rust code:
  - n-grams: the folded tokens of each block, every run of n consecutive tokens (n in MIN..MAX)
    counted with collections.Counter; never across blocks; the documents each occurs in.
  - collocates of a PATTERN (one or more words, no `*`): a hit is the pattern's words as
    consecutive folded tokens separated by white space only, found left to right without
    overlap. Its window is the LEFT tokens before the hit and the RIGHT tokens after it in the
    same block. O = Counter of window tokens over all hits; f(c) = Counter of all tokens;
    f(node) = hits; N = tokens. E = f(node) f(c) (LEFT + RIGHT) / N, MI = log2(O / E),
    logDice = 14 + log2(2 O / (f(node) + f(c))).

Usage: independent_toolkit.py --termtally BIN --ngrams MIN..MAX FILE...
       independent_toolkit.py --termtally BIN --collocates PATTERN --left L --right R FILE...
"""

import argparse
import collections
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from independent_count import TOKEN, extract_all, fold, run  # noqa: E402


def block_tokens(text):
    """(folded token, start, end) of each token of a block."""
    return [(fold(m.group(0)), m.start(), m.end()) for m in TOKEN.finditer(text)]


def check_ngrams(termtally, files, texts, low, high):
    counts = collections.Counter()
    documents = collections.Counter()
    for path in files:
        seen = collections.Counter()
        for text in texts[path]:
            words = [t for t, _, _ in block_tokens(text)]
            for n in range(low, high + 1):
                for i in range(len(words) - n + 1):
                    seen[" ".join(words[i : i + n])] += 1
        counts.update(seen)
        documents.update(seen.keys())
    theirs = json.loads(
        run(
            [termtally, "ngrams", "-n", f"{low}..{high}", "--min-freq", "1", "--keep-duplicates"]
            + ["--format", "json"]
            + files
        )
    )
    rows = {r["ngram"]: (r["count"], r["documents"], r["n"]) for r in theirs["rows"]}
    failures = 0
    if len(rows) != len(theirs["rows"]):
        print("MISMATCH: an n-gram is listed twice")
        failures += 1
    for gram in sorted(set(rows) | set(counts)):
        ours = (counts[gram], documents[gram], len(gram.split(" ")))
        if rows.get(gram) != ours:
            print(f"MISMATCH {gram!r}: termtally={rows.get(gram)} python={ours}")
            failures += 1
    print(f"ngrams: {len(counts) - failures} passed, {failures} failed ({sum(counts.values())} n-grams)")
    return failures


def hits(tokens, text, words):
    """Start and end token index of each hit of `words` in a block, left to right."""
    k, i, found = len(words), 0, []
    while i + k <= len(tokens):
        if [t for t, _, _ in tokens[i : i + k]] == words and all(
            text[tokens[j][2] : tokens[j + 1][1]].isspace() for j in range(i, i + k - 1)
        ):
            found.append((i, i + k))
            i += k
        else:
            i += 1
    return found


def check_collocates(termtally, files, texts, pattern, left, right):
    words = fold(pattern).split()
    near, freq = collections.Counter(), collections.Counter()
    node = 0
    for path in files:
        for text in texts[path]:
            tokens = block_tokens(text)
            freq.update(t for t, _, _ in tokens)
            for start, end in hits(tokens, text, words):
                node += 1
                window = tokens[max(0, start - left) : start] + tokens[end : end + right]
                near.update(t for t, _, _ in window)
    total = sum(freq.values())
    theirs = json.loads(
        run(
            [termtally, "collocates", pattern, "--left", str(left), "--right", str(right)]
            + ["--min-freq", "1", "--keep-duplicates", "--format", "json"]
            + files
        )
    )
    failures = 0
    if theirs["node"]["frequency"] != node or theirs["total"]["tokens"] != total:
        print(f"MISMATCH node/tokens: termtally={theirs['node']['frequency']}/{theirs['total']['tokens']} python={node}/{total}")
        failures += 1
    rows = {r["collocate"]: r for r in theirs["rows"]}
    for word in sorted(set(rows) | set(near)):
        o, fc = near[word], freq[word]
        r = rows.get(word)
        if r is None or (r["cooccurrences"], r["collocate_frequency"]) != (o, fc):
            got = r and (r["cooccurrences"], r["collocate_frequency"])
            print(f"MISMATCH {word!r}: termtally={got} python={(o, fc)}")
            failures += 1
            continue
        expected = node * fc * (left + right) / total
        mi = math.log2(o / expected)
        log_dice = 14 + math.log2(2 * o / (node + fc))
        if not (math.isclose(r["mi"], mi, rel_tol=1e-9, abs_tol=1e-9) and math.isclose(r["log_dice"], log_dice, rel_tol=1e-9)):
            print(f"MISMATCH {word!r}: MI/logDice termtally={r['mi']}/{r['log_dice']} python={mi}/{log_dice}")
            failures += 1
    print(f"collocates {pattern!r}: {len(near) - failures} passed, {failures} failed ({node} hits, {sum(near.values())} window places)")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--termtally", required=True)
    ap.add_argument("--ngrams", metavar="MIN..MAX")
    ap.add_argument("--collocates", metavar="PATTERN")
    ap.add_argument("--left", type=int, default=5)
    ap.add_argument("--right", type=int, default=5)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    texts = extract_all(args.termtally, args.files)
    if args.ngrams:
        low, high = (int(x) for x in args.ngrams.split(".."))
        failures = check_ngrams(args.termtally, args.files, texts, low, high)
    elif args.collocates:
        failures = check_collocates(args.termtally, args.files, texts, args.collocates, args.left, args.right)
    else:
        sys.exit("give --ngrams or --collocates")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
