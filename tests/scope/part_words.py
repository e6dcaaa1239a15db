#!/usr/bin/env python3
"""Independent count of the words of one Part of an Act's body in legislation.gov.uk XML.

Rules, stated without termtally's code:
  - the Part is the <Part> element that is a descendant of <Body> (not of <Schedules>) whose
    <Number> reads "Part N" (any case);
  - its text is every text node and tail inside it, in document order, leaving out
    <Commentaries> (editorial notes), <BlockAmendment> (quoted amendment text), <CommentaryRef>,
    and the <Pnumber> of a <P1> (a section number is metadata, not text; subsection numbers
    such as "(1)" are text);
  - text nodes are joined with nothing across inline markup (<Emphasis>, <Term>, <Addition>,
    …: a word may be split by it) and with a space at every other element boundary;
  - the right single quote (U+2019) is an apostrophe, as termtally's normalisation states;
  - a word is a token: a run of letters/digits, runs joined by one '-' or "'" with a
    letter/digit on both sides.

Usage: part_words.py FILE.xml N   → prints the number of words.
"""
import re
import sys
import xml.etree.ElementTree as ET

INLINE = {"Emphasis", "Strong", "Term", "Citation", "CitationSubRef", "Addition",
          "Substitution", "Repeal", "Abbreviation", "Acronym", "Definition", "Span",
          "Superior", "Inferior", "SmallCaps", "Underline", "Character", "InlineAmendment",
          "Proviso", "Uppercase", "Expanded", "Strike", "Inline"}
LEFT_OUT = {"Commentaries", "BlockAmendment", "CommentaryRef", "Metadata"}
WORD = r"[^\W_]"
TOKEN = re.compile(WORD + r"+(?:['-]" + WORD + r"+)*")


def local(e):
    return e.tag.split("}")[-1]


def text_of(element):
    out = []

    def walk(e, parent):
        t = local(e)
        if t in LEFT_OUT or (t == "Pnumber" and parent == "P1"):
            if e.tail:
                out.append(e.tail)
            return
        sep = "" if t in INLINE else " "
        out.append(sep)
        if e.text:
            out.append(e.text)
        for child in e:
            walk(child, t)
        out.append(sep)
        if e.tail:
            out.append(e.tail)

    walk(element, None)
    return "".join(out)


def main():
    path, number = sys.argv[1], sys.argv[2]
    root = ET.parse(path).getroot()
    body = next(e for e in root.iter() if local(e) == "Body")
    for part in body.iter():
        if local(part) != "Part":
            continue
        num = next((c for c in part if local(c) == "Number"), None)
        label = " ".join("".join(num.itertext()).split()) if num is not None else ""
        if label.lower() == f"part {number}":
            text = text_of(part).replace("\u2019", "'")
            print(len(TOKEN.findall(text)))
            return
    sys.exit(f"no Part {number} in the body of {path}")


main()
