#!/usr/bin/env python3
"""Independent check of `termtally count` in word and substring modes.

Counts every term of a lexicon with Python's `re` engine (no code shared with termtally's
Aho-Corasick and hash-map matcher) in the text termtally itself extracts (`termtally extract
--format jsonl`), so only the counting is compared, and exits 1 if any count differs from
`termtally count --format json`.

The rules, spelled out independently of the Rust code:
  - token: a maximal run of letters/digits (Python: str.isalnum, i.e. regex [^\\W_]), runs joined
    by ONE '-' or "'" that has a letter/digit on both sides: [^\\W_]+(?:['-][^\\W_]+)*
  - case: full Unicode lower-casing (str.lower), final sigma folded to sigma.
  - word mode: a form matches whole tokens; words of a multi-word form are separated by white
    space only; `*` matches [^\\W_]*; at each position the longest form wins and matching resumes
    after it (one regex alternation, longest alternatives first, scanned by re.finditer).
  - substring mode: per term, non-overlapping leftmost-longest occurrences of its forms anywhere
    (one regex alternation per term, longest first).
  - matching never crosses a block (paragraph) boundary.

  - word types (`termtally words`): every token, lower-cased as above, counted with
    collections.Counter over all the documents together; the number of documents each occurs in.

Usage: independent_count.py --termtally BIN --lexicon NAME[,NAME...] --mode word,substring FILE...
       [--show]   print the count table as well
       independent_count.py --termtally BIN --words FILE...
"""

import argparse
import collections
import json
import re
import subprocess
import sys
import tomllib

WORD = r"[^\W_]"
TOKEN = re.compile(WORD + r"+(?:['-]" + WORD + r"+)*")
TOKEN_START = r"(?<!" + WORD + r")(?<!" + WORD + r"['-])"
TOKEN_END = r"(?!" + WORD + r")(?!['-]" + WORD + r")"


def fold(s):
    return s.lower().replace("\u03c2", "\u03c3")


def word_regex(word):
    return "".join(WORD + "*" if c == "*" else re.escape(c) for c in word)


def form_regex(form):
    return r"\s+".join(word_regex(w) for w in fold(form).split())


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0,):
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def check(termtally, lexicon_name, mode, files, texts, show):
    """Compares termtally's counts with ours for one lexicon and mode; returns the failures."""
    lexicon = tomllib.loads(run([termtally, "lexicon", "show", lexicon_name]))
    terms = [(t["label"], [" ".join(f.split()) for f in t["forms"]]) for t in lexicon["terms"]]

    if mode == "word":
        # Longest alternatives first: at a given start, re tries them in order, so the first that
        # matches is the longest (for literal forms, longer in tokens is longer in characters).
        alternatives = [(form, label) for label, forms in terms for form in forms]
        alternatives.sort(key=lambda fl: -len(fl[0]))
        pattern = re.compile(
            TOKEN_START + "(?:" + "|".join(form_regex(f) for f, _ in alternatives) + ")" + TOKEN_END
        )
        # Which term a matched text belongs to: the first alternative that matches it whole.
        whole = [(re.compile(form_regex(f)), label) for f, label in alternatives]
    else:
        per_term = []
        for label, forms in terms:
            forms = sorted(forms, key=lambda f: -len(f))
            per_term.append((label, re.compile("|".join(form_regex(f) for f in forms))))

    failures = 0
    expected = json.loads(
        run([termtally, "count", "--format", "json", "--lexicon", lexicon_name, "--mode", mode] + files)
    )
    for path in files:
        counts = {label: 0 for label, _ in terms}
        tokens = 0
        for text in texts[path]:
            tokens += len(TOKEN.findall(text))
            lowered = fold(text)
            if len(TOKEN.findall(lowered)) != len(TOKEN.findall(text)):
                sys.exit(f"{path}: lower-casing changes tokenisation in {text!r}; compare by hand")
            if mode == "word":
                for m in pattern.finditer(lowered):
                    found = " ".join(m.group(0).split())
                    label = next(label for rx, label in whole if rx.fullmatch(found))
                    counts[label] += 1
            else:
                for label, rx in per_term:
                    counts[label] += sum(1 for _ in rx.finditer(lowered))

        doc = next((d for d in expected["documents"] if d["path"] == path), None)
        if doc is None:
            print(f"MISMATCH {path}: not in termtally's output")
            failures += 1
            continue
        if doc["tokens"] != tokens:
            print(f"MISMATCH {path}: tokens termtally={doc['tokens']} python={tokens}")
            failures += 1
        theirs = {
            r["term"]: r["count"]
            for r in expected["rows"]
            if r["kind"] == "term" and r["path"] == path and r["unit"] is None
        }
        if show:
            print(f"{path} ({tokens} tokens, {lexicon_name}, {mode})")
        for label, _ in terms:
            if show:
                print(f"  {label:<20} python={counts[label]:>5} termtally={theirs.get(label)}")
            if theirs.get(label) != counts[label]:
                print(f"MISMATCH {path}: {label}: termtally={theirs.get(label)} python={counts[label]}")
                failures += 1
    checked = len(files) * len(terms)
    print(f"{lexicon_name} {mode}: {checked - failures} passed, {failures} failed")
    return failures


def extract_all(termtally, files):
    """Each document extracted once by termtally; its blocks are what both sides count."""
    texts = {}
    for path in files:
        lines = run([termtally, "extract", "--format", "jsonl", path]).splitlines()
        texts[path] = [json.loads(line)["text"] for line in lines]
    return texts


def check_words(termtally, files, texts):
    """Compares `termtally words` with a Counter of folded tokens; returns the failures."""
    counts = collections.Counter()
    documents = collections.Counter()
    for path in files:
        seen = collections.Counter(
            fold(token) for text in texts[path] for token in TOKEN.findall(text)
        )
        counts.update(seen)
        documents.update(seen.keys())
    theirs = json.loads(run([termtally, "words", "--keep-duplicates", "--proper-nouns", "keep", "--format", "json"] + files))
    rows = {r["word"]: (r["count"], r["documents"]) for r in theirs["rows"]}
    failures = 0
    if len(rows) != len(theirs["rows"]):
        print("MISMATCH: a word is listed twice")
        failures += 1
    if theirs["total"]["tokens"] != sum(counts.values()):
        print(f"MISMATCH tokens: termtally={theirs['total']['tokens']} python={sum(counts.values())}")
        failures += 1
    for word in sorted(set(rows) | set(counts)):
        ours = (counts[word], documents[word])
        if rows.get(word) != ours:
            print(f"MISMATCH {word!r}: termtally={rows.get(word)} python={ours}")
            failures += 1
    print(f"words: {len(counts) - failures} passed, {failures} failed ({sum(counts.values())} tokens)")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--termtally", required=True)
    ap.add_argument("--lexicon", help="names or paths, comma-separated")
    ap.add_argument("--mode", help="word, substring or both, comma-separated")
    ap.add_argument("--words", action="store_true", help="check `termtally words` instead")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    if args.words:
        texts = extract_all(args.termtally, args.files)
        return 1 if check_words(args.termtally, args.files, texts) else 0
    if not args.lexicon or not args.mode:
        sys.exit("give --lexicon and --mode, or --words")
    modes = args.mode.split(",")
    if not all(m in ("word", "substring") for m in modes):
        sys.exit("--mode: word and/or substring")

    texts = extract_all(args.termtally, args.files)

    failures = 0
    for lexicon_name in args.lexicon.split(","):
        for mode in modes:
            failures += check(args.termtally, lexicon_name, mode, args.files, texts, args.show)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
