#!/usr/bin/env bash
# Fuzzes termtally's parsers with cargo-fuzz (libFuzzer), one target after another.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 600); TARGETs default to all of: pdf clml html docx text lexicon
# tokens. `tokens` is differential: the fast tokeniser and word table against the simple ones.
# `pdf-small` fuzzes the pdf target from small PDFs only (the hand-made layout cases, the
# producers' small PDFs, encrypted, object streams) with inputs capped at 16 KB: the real
# documents make `pdf` slow (a few executions a second), the small ones reach the parser's
# corners thousands of times faster.
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; without nightly it
# sets RUSTC_BOOTSTRAP=1 so the stable compiler accepts the sanitizer flags.
# FUZZ_BUILD adds cargo-fuzz build options: FUZZ_BUILD="--dev -s none" builds without
# optimisation or AddressSanitizer (minutes instead of the better part of an hour on a busy
# 2-core machine; fewer executions a second, but panics, hangs and runaway memory are found
# alike, and safe Rust has little for ASan to find).
#
# Seeds: fuzz/corpus/<target>/ is filled on first use from ../shared/corpora (or
# $TERMTALLY_CORPORA) plus small hand-made inputs written here. The corpus and findings live in
# fuzz/corpus and fuzz/artifacts, both git-ignored: the shared documents are never committed.
#
# Every target runs in libFuzzer's fork mode with crashes, timeouts and out-of-memory ignored,
# so one finding does not end the run: the summary at the end lists what fuzz/artifacts/<target>/
# holds, and each log (fuzz/artifacts/<target>.log) ends with libFuzzer's executions and coverage.
# Reproduce a finding with: cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...
# Once fixed, copy the input to tests/fixtures/fuzz/TARGET/ (pdf-small: .../pdf/):
# tests/cli/robustness.rs replays every file there through the same code as the target.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pdf clml html docx text lexicon tokens)

corpora=${TERMTALLY_CORPORA:-../../shared/corpora}
if [ ! -f "$corpora/SOURCES.md" ]; then
  echo "*** the shared corpora were not found at $corpora: seeding with hand-made inputs only ***" >&2
  corpora=""
fi

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

# --- seeds ------------------------------------------------------------------------------------
seed() { # seed TARGET NAME CONTENT
  mkdir -p "corpus/$1"
  printf '%s' "$3" >"corpus/$1/$2"
}

seed_pdf() {
  mkdir -p corpus/pdf
  [ -n "$corpora" ] && find "$corpora" -name '*.pdf' -exec cp -n {} corpus/pdf/ \;
  # Small PDFs with correct xref offsets, so mutations start from files that parse: the
  # layout cases of tests/cli/pdf_layout.rs (quote operators, interleaved columns, glyphs in
  # random order, character spacing, Ts superscripts, rotated and vertical text, right to left)
  # and a CID font whose /W has ranges (src/extract/pdf/widths.rs).
  python3 - <<'PY'
import math, random

def pdf(content, fonts=b"/F1 5 0 R", extra=()):
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << " + fonts + b" >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ] + list(extra)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)

def glyphs(lines, size, angle, extra, x, y):
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    ops = []
    for row, line in enumerate(lines):
        down = row * size * 1.3
        for col, ch in enumerate(line):
            if ch != " ":
                along = col * (0.6 * size + extra)
                ops.append(b"%.4f %.4f %.4f %.4f %.2f %.2f Tm (%s) Tj" % (
                    c, s, -s, c, x + along * c + down * s, y + along * s - down * c, ch.encode()))
    return ops

lines = ["The local authority must work in", "partnership with parents and carers.",
         "Health services and the local authority", "share information early, working"]
shuffled = glyphs(lines, 10, 0, 0, 72, 700)
random.Random(16).shuffle(shuffled)
cases = {
    "handmade-one-page": b"BT /F1 12 Tf 72 720 Td (4.9 Co-production with partners) Tj 0 -14 Td (joint working) Tj ET",
    "quote-operators": b"BT /F1 12 Tf 14 TL 72 700 Td (a b) Tj (c d) ' 1 0.5 (e f) \" ET",
    "two-columns": b"BT /F1 10 Tf " + b" ".join(
        b"1 0 0 1 50 %d Tm (%s) Tj 1 0 0 1 320 %d Tm (%s) Tj" % (780 - 13 * i, l.encode(), 780 - 13 * i, r.encode())
        for i, (l, r) in enumerate(zip(lines[:2], lines[2:]))) + b" ET",
    "random-order": b"BT /F1 10 Tf\n" + b"\n".join(shuffled) + b"\nET",
    "char-spacing": b"BT /F1 12 Tf 3 Tc 16 TL 40 800 Td T* (" + lines[0].encode() + b") Tj 0 Tc ET",
    "superscript": b"BT /F1 11 Tf 72 700 Td (The local authority) Tj /F1 7 Tf 5 Ts (1) Tj 0 Ts /F1 11 Tf ( must work) Tj ET",
    "rotated": b"BT /F1 10 Tf\n" + b"\n".join(glyphs(lines[:2], 10, 30, 0, 60, 400) + glyphs(lines[2:], 10, 180, 0, 500, 200)) + b"\nET",
    "vertical": b"BT /F1 10 Tf\n" + b"\n".join(glyphs(lines[:2], 10, 90, 0, 80, 300) + glyphs(lines[2:], 10, -90, 0, 500, 780)) + b"\nET",
}
for name, content in cases.items():
    open("corpus/pdf/%s.pdf" % name, "wb").write(pdf(content))
# Right to left: bytes A.. mapped to Hebrew letters, drawn in visual order.
cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <00> <FF>"
        b" endcodespacerange 3 beginbfchar <41> <05E9> <42> <05D5> <43> <05EA> endbfchar endcmap"
        b" CMapName currentdict /CMap defineresource pop end end")
open("corpus/pdf/right-to-left.pdf", "wb").write(pdf(
    b"BT /F2 12 Tf 1 0 0 1 300 700 Tm (CBA CBA) Tj ET", b"/F1 5 0 R /F2 6 0 R",
    [b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 7 0 R >>",
     b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"]))
# A Type0 font over a CIDFont whose /W gives widths as ranges, as Skia writes them.
cid_cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF>"
            b" endcodespacerange 1 beginbfrange <0013> <001C> <0030> endbfrange endcmap"
            b" CMapName currentdict /CMap defineresource pop end end")
open("corpus/pdf/cid-width-ranges.pdf", "wb").write(pdf(
    b"BT /F2 10 Tf 72 700 Td <00140015001600170018> Tj 0 -12 Td <001300130019> Tj ET",
    b"/F1 5 0 R /F2 6 0 R",
    [b"<< /Type /Font /Subtype /Type0 /BaseFont /Helvetica /Encoding /Identity-H"
     b" /DescendantFonts [7 0 R] /ToUnicode 9 0 R >>",
     b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Helvetica /CIDToGIDMap /Identity"
     b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
     b" /FontDescriptor 8 0 R /DW 0 /W [0 [633] 19 28 556.15 29 [277.8]] >>",
     b"<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [0 0 1000 1000]"
     b" /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
     b"<< /Length %d >>\nstream\n" % len(cid_cmap) + cid_cmap + b"\nendstream"]))
PY
  # The producers of issue 16, each drawing regularly spaced lines its own way.
  local text="The local authority must work in partnership with parents and carers."
  if command -v gs >/dev/null; then
    printf '%%!PS\n/Helvetica findfont 10 scalefont setfont\n72 700 moveto (%s) show\n72 688 moveto (%s) show\nshowpage\n' \
      "$text" "$text" >corpus/pdf/.in.ps
    gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile=corpus/pdf/ghostscript.pdf corpus/pdf/.in.ps || true
    rm -f corpus/pdf/.in.ps
  fi
  if command -v groff >/dev/null; then
    printf '.nf\n%s\n%s\n' "$text" "$text" | groff -Tpdf >corpus/pdf/groff.pdf 2>/dev/null || rm -f corpus/pdf/groff.pdf
  fi
  if [ -x /usr/lib/cups/filter/texttopdf ]; then
    printf '%s\n%s\n' "$text" "$text" >corpus/pdf/.in.txt
    /usr/lib/cups/filter/texttopdf 1 user title 1 "" corpus/pdf/.in.txt >corpus/pdf/cups-texttopdf.pdf 2>/dev/null \
      || rm -f corpus/pdf/cups-texttopdf.pdf
    rm -f corpus/pdf/.in.txt
  fi
}

seed_pdf_small() {
  mkdir -p corpus/pdf-small
  [ -f corpus/pdf/handmade-one-page.pdf ] || seed_pdf
  # Every seed under 16 KB: the hand-made cases and the producers' small PDFs.
  find corpus/pdf -maxdepth 1 -name '*.pdf' -size -16k -exec cp {} corpus/pdf-small/ \;
  if command -v qpdf >/dev/null; then
    local plain=corpus/pdf/handmade-one-page.pdf
    qpdf --encrypt secret owner 256 -- "$plain" corpus/pdf-small/aes256.pdf || true
    qpdf --allow-weak-crypto --encrypt "" owner 128 --use-aes=n -- "$plain" corpus/pdf-small/rc4-empty-password.pdf || true
    qpdf --object-streams=generate "$plain" corpus/pdf-small/object-streams.pdf || true
    qpdf --linearize "$plain" corpus/pdf-small/linearized.pdf || true
  fi
}

seed_clml() {
  [ -n "$corpora" ] && find "$corpora" -name '*.xml' -exec cp -n {} corpus/clml/ \;
  seed clml small.xml '<?xml version="1.0"?>
<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"><Primary><Body><Part><Number>Part 3</Number><Title>Children</Title><P1group><Title>Co-operation</Title><P1><Pnumber>19</Pnumber><P1para><Text>A local authority <Emphasis>must</Emphasis> co-operate.</Text></P1para></P1></P1group></Part></Body></Primary></Legislation>'
  seed clml entities.xml '<?xml version="1.0"?><!DOCTYPE Legislation [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"><Primary><Body><P1><Pnumber>1</Pnumber><Text>&b; &amp; &#233;</Text></P1></Body></Primary></Legislation>'
}

seed_html() {
  seed html page.html '<!DOCTYPE html><html><head><title>Guidance</title><style>p{}</style><script>var x=1;</script></head><body><nav>Menu</nav><main><h1>SEND guidance</h1><p>4.9 Local authorities <b>must</b> work in co-production with families.</p><ul><li>inform</li><li>involve</li></ul><table><tr><td>joint</td></tr></table></main><footer>Footer</footer></body></html>'
  seed html gov.html '<html><body><div class="govspeak"><h2 id="s1">1. Introduction</h2><p>Partners co&#8209;operate &amp; consult.</p></div></body></html>'
}

seed_docx() {
  mkdir -p corpus/docx
  python3 - <<'PY'
import zipfile
body = ('<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Introduction</w:t></w:r></w:p>'
        '<w:p><w:r><w:t xml:space="preserve">4.9 Co-</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>production</w:t></w:r>'
        '<w:r><w:tab/><w:t>and joint working</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p>'
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>inform</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
       + body + '</w:body></w:document>')
with zipfile.ZipFile("corpus/docx/small.docx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", doc)
with zipfile.ZipFile("corpus/docx/stored.docx", "w", zipfile.ZIP_STORED) as z:
    z.writestr("word/document.xml", doc)
PY
}

seed_text() {
  seed text plain.txt $'4.9 Co-production and joint working.\n\nLocal authorities must inform, consult and involve.\fPage 2 co-\noperation'
  printf 'caf\xe9 na\xefve \x93quoted\x94 \x96 dash\n' >corpus/text/latin1.txt
  printf '\xff\xfeh\x00i\x00 \x00t\x00h\x00e\x00r\x00e\x00' >corpus/text/utf16.txt
  printf '\xef\xbb\xbfBOM then text\r\nCRLF lines\r\n' >corpus/text/bom.txt
  if [ -n "$corpora" ] && command -v pdftotext >/dev/null; then
    pdftotext -l 3 "$corpora/ofsted-cqc-area-send-inspection-dorset-2024-05.pdf" corpus/text/dorset.txt || true
  fi
}

seed_tokens() {
  seed tokens words.txt "Co-operation and co-operation, CO-OPERATION; the parent's view -- a--b 'x' post-16"
  seed tokens mixed.txt "$(printf 'Stra\xc3\x9fe STRASSE na\xc3\xafve caf\xc3\xa9-owner \xe2\x80\xa2 inform%.0s ' 1 2 3 4 5 6 7 8)"
  seed tokens long.txt "multi-agency-working-arrangements collaboratively ABCDEFGHIJKLMNOPQ abcdefghijklmnop"
}

seed_lexicon() {
  mkdir -p corpus/lexicon
  for f in ../src/lexicon/builtin/*.toml; do
    { printf '\x00'; cat "$f"; } >"corpus/lexicon/$(basename "$f")"
  done
  { printf '\x01'; printf 'collaborative:\n  joint:\n    - joint work*\n    - co-production\n  partners: [partner, partnership]\ndirective:\n  - must\n  - "must not"\n'; } >corpus/lexicon/quanteda.yml
  { printf '\x02'; printf '%%\n1\tcollaborative\n2\tdirective\n%%\ncollaborat*\t1\nmust\t2\nco-operate\t1 2\n'; } >corpus/lexicon/liwc.dic
}

# --- run --------------------------------------------------------------------------------------
mkdir -p artifacts
summary=()
for target in "${targets[@]}"; do
  bin=$target
  extra=()
  case $target in
    pdf-small) bin=pdf; extra=(-max_len=16384) ;;
  esac
  mkdir -p "corpus/$target" "artifacts/$target"
  if [ -z "$(ls -A "corpus/$target")" ]; then
    "seed_${target//-/_}"
  fi
  dict=()
  [ -f "dict/$bin.dict" ] && dict=(-dict="dict/$bin.dict")
  log="artifacts/$target.log"
  start_mark=$(mktemp)
  echo "== $target: ${seconds}s (log $log)"
  # shellcheck disable=SC2086 # FUZZ_BUILD is a list of options
  "${fuzz[@]}" run ${FUZZ_BUILD:-} "$bin" "corpus/$target" -- "${extra[@]}" \
    -max_total_time="$seconds" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -timeout=20 -rss_limit_mb=3072 -artifact_prefix="artifacts/$target/" "${dict[@]}" \
    >"$log" 2>&1 || echo "   (libFuzzer exited with status $?)"
  # Fork mode prints lines like "#12345: cov: 6789 ft: ... corp: ... exec/s: 40 oom/timeout/crash: 0/0/0 time: 600s".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  findings=$(find "artifacts/$target" -type f -newer "$start_mark" | wc -l)
  rm -f "$start_mark"
  summary+=("$target: ${last:-no stats (see $log)}; new findings in artifacts/$target: $findings")
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
