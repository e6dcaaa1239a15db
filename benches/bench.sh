#!/usr/bin/env bash
# termtally benchmarks, side by side with ripgrep, sort/uniq, Python and pdftotext (issue 8).
#
#   benches/bench.sh [SIZE]          e.g. benches/bench.sh 1G  (default 1G; 256M for a quick run)
#
# One command: builds termtally in release mode, builds the inputs in benches/work/ (git-ignored),
# runs every comparison with hyperfine and prints medians and ratios. Environment:
#   BENCH_RUNS=N         hyperfine runs per command (default 3; the slow baselines run BENCH_SLOW_RUNS,
#                        default 2)
#   TERMTALLY_CORPORA    the shared documents (default ../shared/corpora)
# Needs: cargo, hyperfine, rg, pdftotext (poppler-utils), python3, GNU time (/usr/bin/time) —
# all Debian packages: apt-get install hyperfine ripgrep poppler-utils python3 time.
#
# Inputs: the text termtally extracts from every PDF and XML file in the corpora (the deliberately
# corrupt PDF left out), concatenated and repeated up to SIZE: benches/work/big.txt. The same
# text is also split in two halves for `diff --all-words` (an old and a new side), so it reads
# the same bytes once.
#
# Comparisons (termtally first, the baseline second):
#   1. lexicon counting, word mode     count --lexicon boddison-soan-2021 --mode word
#                                      vs rg --count-matches -i -w -e FORM ...   (counts compared)
#   2. lexicon counting, substring     count --mode substring  vs rg --count-matches -i -F -e FORM ...
#   3. word-frequency list             words (every word type with its count)
#                                      vs tr -cs '[:alnum:]' '\n' | sort | uniq -c   (LC_ALL=C)
#                                      vs a Python collections.Counter one-liner
#      and diff --all-words over the two halves (no baseline: its time and memory)
#   4. PDF extraction                  extract (rayon, one job per core) vs pdftotext via xargs -P NPROC
#   5. peak memory (max RSS) of each termtally command, from /usr/bin/time -v.
# Results: benches/work/results/*.json|md (hyperfine exports) and benches/work/summary.md.
#
#   benches/bench.sh shapes [SIZE] [ROUNDS]   the shapes of issue 19 instead (benches/shapes.sh):
#                    a folder of 4,000 files, pdftotext output, 540 PDFs, a growing vocabulary
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = shapes ]; then
  shift
  exec benches/shapes.sh "$@"
fi

size=${1:-1G}
target_bytes=$(numfmt --from=iec "$size")
runs=${BENCH_RUNS:-3}
slow_runs=${BENCH_SLOW_RUNS:-2}
corpora=${TERMTALLY_CORPORA:-../shared/corpora}
work=benches/work
results=$work/results
jobs=$(nproc)
export LC_ALL=C # the fastest setting for sort/tr; the baselines get every advantage

for tool in cargo hyperfine rg pdftotext python3 /usr/bin/time numfmt; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing" >&2; exit 2; }
done
[ -f "$corpora/SOURCES.md" ] || { echo "bench.sh: no corpora at $corpora (set TERMTALLY_CORPORA)" >&2; exit 2; }

echo "== building termtally (release)"
cargo build --release --quiet
tt=$PWD/target/release/termtally
mkdir -p "$work" "$results"

# --- inputs -----------------------------------------------------------------------------------
mapfile -t pdfs < <(find "$corpora" -name '*.pdf' ! -name '*.corrupt.pdf' | sort)
mapfile -t xmls < <(find "$corpora" -name '*.xml' | sort)
seed=$work/seed.txt
if [ ! -s "$seed" ]; then
  echo "== extracting the seed text from ${#pdfs[@]} PDFs and ${#xmls[@]} XML files"
  "$tt" extract "${pdfs[@]}" "${xmls[@]}" >"$seed.tmp"
  mv "$seed.tmp" "$seed"
fi
big=$work/big.txt
if [ ! -s "$big" ] || [ "$(stat -c %s "$big")" -lt "$target_bytes" ] ||
   [ "$(stat -c %s "$big")" -gt $((target_bytes + $(stat -c %s "$seed"))) ]; then
  echo "== building $big (>= $size from $(numfmt --to=iec "$(stat -c %s "$seed")") of seed text)"
  : >"$big"
  while [ "$(stat -c %s "$big")" -lt "$target_bytes" ]; do cat "$seed" >>"$big"; done
  # Halves at a line boundary, for diff's old and new sides.
  lines=$(wc -l <"$big")
  head -n $((lines / 2)) "$big" >"$work/half-a.txt"
  tail -n +$((lines / 2 + 1)) "$big" >"$work/half-b.txt"
fi
big_bytes=$(stat -c %s "$big")
echo "   input: $big, $big_bytes bytes ($(numfmt --to=iec "$big_bytes")), $(wc -l <"$big") lines"

# The lexicon's forms, exactly as `lexicon show` prints them (TOML `forms = [...]` lines).
mapfile -t forms < <("$tt" lexicon show boddison-soan-2021 |
  python3 -c 'import sys, tomllib; [print(f) for t in tomllib.loads(sys.stdin.read())["terms"] for f in t["forms"]]')
rg_word=(rg --no-config --count-matches -i -w)
rg_fixed=(rg --no-config --count-matches -i -F)
for f in "${forms[@]}"; do rg_word+=(-e "$f"); rg_fixed+=(-e "$f"); done
# rg -w treats ' and - as word boundaries, so it finds "partnership" in "partnership's" and
# "information" in "information-sharing"; termtally's tokens keep single internal hyphens and
# apostrophes (see src/tokenise.rs). The same rule in PCRE2 gives an independent check of
# termtally's counts, and a like-for-like timing.
alternation=$(IFS='|'; echo "${forms[*]}")
rg_rule=(rg --no-config --count-matches -i -P
  "(?<![\p{L}\p{N}])(?<![\p{L}\p{N}]['-])(?:$alternation)(?![\p{L}\p{N}])(?!['-][\p{L}\p{N}])")
quote() { printf '%q ' "$@"; }

# --- runs -------------------------------------------------------------------------------------
# No warm-up runs (the slow baselines take minutes); the inputs are read once here so every
# command finds them in the page cache.
cat "$big" "$work/half-a.txt" "$work/half-b.txt" "${pdfs[@]}" >/dev/null
bench() { # bench NAME RUNS CMD...   (CMDs as shell strings)
  local name=$1 n=$2; shift 2
  echo
  echo "== $name"
  hyperfine --style basic --runs "$n" \
    --export-json "$results/$name.json" --export-markdown "$results/$name.md" "$@"
}

rss() { # rss CMD... : peak resident memory in MB of one run of a shell command
  /usr/bin/time -v sh -c "$* >/dev/null" 2>&1 >/dev/null | awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }'
}

count_word="$(quote "$tt") count --lexicon boddison-soan-2021 --mode word -f csv $(quote "$big")"
count_sub="$(quote "$tt") count --lexicon boddison-soan-2021 --mode substring -f csv $(quote "$big")"
words_tt="$(quote "$tt") words -f csv $(quote "$big")"
diff_tt="$(quote "$tt") diff --all-words -f csv $(quote "$work/half-a.txt" "$work/half-b.txt")"
words_tr="tr -cs '[:alnum:]' '\n' < $(quote "$big") | sort | uniq -c"
words_py="python3 -c 'import sys, re, collections; c = collections.Counter(w for line in open(sys.argv[1], encoding=\"utf-8\") for w in re.findall(r\"\\w+\", line.lower())); sys.stdout.writelines(f\"{w}\\t{n}\\n\" for w, n in c.items())' $(quote "$big")"
extract_tt="$(quote "$tt") extract $(quote "${pdfs[@]}")"
extract_pt="printf '%s\\0' $(quote "${pdfs[@]}") | xargs -0 -P $jobs -I{} pdftotext {} -"

bench count-word "$runs" -n "termtally count word" "$count_word > /dev/null" -n "rg -i -w" "$(quote "${rg_word[@]}" "$big")" \
  -n "rg -i -P (termtally's word rule)" "$(quote "${rg_rule[@]}" "$big")"
bench count-substring "$runs" -n "termtally count substring" "$count_sub > /dev/null" -n "rg -i -F" "$(quote "${rg_fixed[@]}" "$big")"
bench word-frequency "$slow_runs" -n "termtally words" "$words_tt > /dev/null" \
  -n "tr | sort | uniq -c" "$words_tr > /dev/null" -n "python Counter" "$words_py > /dev/null"
bench diff-all-words "$runs" -n "termtally diff --all-words (two halves)" "$diff_tt > /dev/null"
bench extract-pdfs "$runs" -n "termtally extract" "$extract_tt > /dev/null" -n "pdftotext xargs -P $jobs" "$extract_pt > /dev/null"

# --- counts: termtally and rg must agree --------------------------------------------------------
echo
echo "== word mode: total hits, termtally vs rg"
tt_total=$(eval "$count_word" | awk -F, '$1 == "term" { s += $6 } END { print s }')
rg_total=$("${rg_word[@]}" "$big")
rg_rule_total=$("${rg_rule[@]}" "$big")
echo "   termtally: $tt_total   rg -w: $rg_total   rg -P with termtally's word rule: $rg_rule_total (must be identical)"
echo "== substring mode: termtally counts each term (terms overlap); rg -F counts non-overlapping matches"
tt_sub=$(eval "$count_sub" | awk -F, '$1 == "term" { s += $6 } END { print s }')
rg_sub=$("${rg_fixed[@]}" "$big")
# The independent check: one rg -F run per term (its forms together), summed.
rg_sub_terms=0
while IFS=$'\t' read -r -a term_forms; do
  args=()
  for f in "${term_forms[@]}"; do args+=(-e "$f"); done
  n=$(rg --no-config --count-matches -i -F "${args[@]}" "$big" || echo 0)
  rg_sub_terms=$((rg_sub_terms + n))
done < <("$tt" lexicon show boddison-soan-2021 |
  python3 -c 'import sys, tomllib; [print("\t".join(t["forms"])) for t in tomllib.loads(sys.stdin.read())["terms"]]')
echo "   termtally: $tt_sub   rg -F per term, summed: $rg_sub_terms (must be identical)   rg -F all forms at once: $rg_sub"
# Per form, word mode, for finding where they differ.
"$tt" count --lexicon boddison-soan-2021 --mode word -f csv "$big" |
  awk -F, '$1 == "term" { print $4 "\t" $6 }' >"$results/count-word-termtally.tsv"
: >"$results/count-word-rg.tsv"
for f in "${forms[@]}"; do
  printf '%s\t%s\n' "$f" "$(rg --no-config --count-matches -i -w -e "$f" "$big" || echo 0)" >>"$results/count-word-rg.tsv"
done

# --- memory -------------------------------------------------------------------------------------
echo
echo "== peak memory (max RSS)"
rss_word=$(rss "$count_word"); rss_sub=$(rss "$count_sub"); rss_words=$(rss "$words_tt"); rss_extract=$(rss "$extract_tt")
rss_diff=$(rss "$diff_tt")
rss_rg=$(rss "$(quote "${rg_word[@]}" "$big")")
echo "   count word $rss_word MB, count substring $rss_sub MB, words $rss_words MB, diff --all-words $rss_diff MB, extract $rss_extract MB; rg -w $rss_rg MB"
# The word-frequency list counts every token once: its total is count's token total.
words_tokens=$(eval "$words_tt" | awk -F, 'NR > 1 { s += $2 } END { print s }')
count_tokens=$(eval "$count_word" | awk -F, '$1 == "term" { print $7; exit }')
echo "   words: $words_tokens tokens; count: $count_tokens tokens (must be identical)"

# --- summary ------------------------------------------------------------------------------------
python3 - "$results" "$big_bytes" "$tt_total" "$rg_total" "$rg_rule_total" "$tt_sub" "$rg_sub" "$rg_sub_terms" \
  "$rss_word" "$rss_sub" "$rss_words" "$rss_extract" "$rss_rg" "${#pdfs[@]}" "$jobs" "$rss_diff" "$words_tokens" "$count_tokens" <<'PY' | tee "$work/summary.md"
import json, sys
results, size, tt_total, rg_total, rg_rule_total, tt_sub, rg_sub, rg_sub_terms, rss_word, rss_sub, rss_words, rss_extract, rss_rg, n_pdfs, jobs, rss_diff, words_tokens, count_tokens = sys.argv[1:]
median = {}
print(f"Input: {int(size):,} bytes of text ({int(size) / 2**30:.2f} GiB); {n_pdfs} PDFs; {jobs} parallel jobs\n")
print("| comparison | command | median s | min s | max s | termtally time / this time |")
print("|---|---|---:|---:|---:|---:|")
for name in ["count-word", "count-substring", "word-frequency", "diff-all-words", "extract-pdfs"]:
    rows = json.load(open(f"{results}/{name}.json"))["results"]
    ours = rows[0]["median"]
    for r in rows:
        median[(name, r["command"])] = r["median"]
        ratio = "" if r is rows[0] else f"{ours / r['median']:.2f}"
        print(f"| {name} | {r['command']} | {r['median']:.3f} | {r['min']:.3f} | {r['max']:.3f} | {ratio} |")
def m(name, prefix):
    return next(v for (n, c), v in median.items() if n == name and c.startswith(prefix))
checks = [
    ("lexicon counting (word): termtally/rg -w <= 1.0", m("count-word", "termtally") / m("count-word", "rg -i -w"), lambda x: x <= 1.0),
    ("lexicon counting (word): termtally/rg -P, same word rule", m("count-word", "termtally") / m("count-word", "rg -i -P"), lambda x: x <= 1.0),
    ("substring: termtally/rg (no target; reported)", m("count-substring", "termtally") / m("count-substring", "rg"), None),
    ("word frequency: sort-uniq/termtally >= 10", m("word-frequency", "tr") / m("word-frequency", "termtally"), lambda x: x >= 10),
    ("word frequency: python/termtally >= 3", m("word-frequency", "python") / m("word-frequency", "termtally"), lambda x: x >= 3),
    ("PDF extraction: termtally/pdftotext <= 1.0", m("extract-pdfs", "termtally") / m("extract-pdfs", "pdftotext"), lambda x: x <= 1.0),
    ("peak RSS of count (word) < 200 MB", float(rss_word), lambda x: x < 200),
    ("peak RSS of words < 200 MB", float(rss_words), lambda x: x < 200),
]
print("\n| target | measured | met |")
print("|---|---:|---|")
for label, value, ok in checks:
    print(f"| {label} | {value:.2f} | {'' if ok is None else ('yes' if ok(value) else 'NO')} |")
print()
print(f"Word-mode hits: termtally {tt_total}; rg -P with termtally's word rule {rg_rule_total} "
      f"({'identical' if tt_total == rg_rule_total else 'DIFFERENT'}); rg -w {rg_total} "
      f"(' and - as boundaries: per form in results/count-word-*.tsv)")
print(f"Substring-mode hits: termtally {tt_sub}; rg -F run per term and summed {rg_sub_terms} "
      f"({'identical' if tt_sub == rg_sub_terms else 'DIFFERENT'}); rg -F with all forms at once {rg_sub} "
      f"(non-overlapping: 'information' hides 'inform')")
print(f"Word-frequency list: {int(words_tokens):,} tokens; count's token total {int(count_tokens):,} "
      f"({'identical' if words_tokens == count_tokens else 'DIFFERENT'})")
print(f"Peak RSS: count word {rss_word} MB, count substring {rss_sub} MB, words {rss_words} MB, "
      f"diff --all-words {rss_diff} MB, extract {rss_extract} MB (rg -w: {rss_rg} MB)")
PY
