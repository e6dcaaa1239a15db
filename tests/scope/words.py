#!/usr/bin/env python3
"""Independent word counts for the scope tests (no code shared with termtally).

  words.py pdftotext FILE FIRST LAST   tokens of `pdftotext -f FIRST -l LAST FILE -`
  words.py text                        tokens of standard input
  words.py sections RANGES             tokens of the `extract --format jsonl` records on
                                       standard input whose section is inside RANGES
  words.py heading REGEX               tokens of the records under a heading matching REGEX
                                       (case ignored): from that heading record up to the
                                       next record whose heading_level is the same or higher

Each prints JSON {"tokens": N, "types": {word: count}}. In the pdftotext and text modes the
types are written without hyphens: pdftotext joins a compound broken at a line-end hyphen
without the hyphen ("information-" / "sharing" → "informationsharing"), where termtally keeps
the compound's hyphen, so the two are compared hyphen-blind (the number of tokens is the same).

Rules: a token is a run of letters/digits joined by one '-' or "'" with a letter/digit on both
sides; the right single quote (U+2019) is an apostrophe; words are lower-cased.
Section order: a label ("4.10", "s.19A", "E.6") is split at '.' into parts, each part
(starts with a letter?, its leading number, the letters after it), compared part by part, so
4.9 < 4.10, 19 < 19A < 20, and a part starting with a letter (A.1) comes after every number.
A range a-b holds a <= label <= b and any subdivision of b (b.1, b.2, …). A Schedule's
paragraph ("Sch. 2 para 3") is never inside.
"""
import collections
import json
import re
import subprocess
import sys

WORD = r"[^\W_]"
TOKEN = re.compile(WORD + r"+(?:['-]" + WORD + r"+)*")


def tokens(text):
    return [t.lower() for t in TOKEN.findall(text.replace("\u2019", "'"))]


def key(label):
    label = label[2:] if label.startswith("s.") else label
    out = []
    for part in filter(None, label.split(".")):
        digits = re.match(r"[0-9]*", part).group(0)
        out.append((digits == "", int(digits or 0), part[len(digits):].upper()))
    return out


def in_ranges(label, ranges):
    if label is None or " " in label:
        return False
    k = key(label)
    for item in ranges.split(","):
        lo, _, hi = item.strip().partition("-")
        lo, hi = key(lo), key(hi or lo)
        if lo <= k and (k <= hi or k[: len(hi)] == hi):
            return True
    return False


def report(words, hyphen_blind=False):
    types = collections.Counter(w.replace("-", "") if hyphen_blind else w for w in words)
    print(json.dumps({"tokens": len(words), "types": types}))


mode = sys.argv[1]
if mode == "pdftotext":
    path, first, last = sys.argv[2:5]
    text = subprocess.run(["pdftotext", "-f", first, "-l", last, path, "-"],
                          capture_output=True, text=True, check=True).stdout
    report(tokens(text), hyphen_blind=True)
elif mode == "text":
    report(tokens(sys.stdin.read()), hyphen_blind=True)
elif mode == "sections":
    words = []
    for line in sys.stdin:
        record = json.loads(line)
        if in_ranges(record.get("section"), sys.argv[2]):
            words += tokens(record["text"])
    report(words)
elif mode == "heading":
    pattern = re.compile(sys.argv[2], re.IGNORECASE)
    words, level = [], None
    for line in sys.stdin:
        record = json.loads(line)
        here = record.get("heading_level")
        if here is not None:
            if level is not None and here <= level:
                level = None
            if level is None and pattern.search(record["text"]):
                level = here
        if level is not None:
            words += tokens(record["text"])
    report(words)
else:
    sys.exit(f"unknown mode {mode}")
