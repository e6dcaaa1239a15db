#!/usr/bin/env bash
# termtally on the shapes real corpora have (issue 19), side by side with ripgrep, pdftotext and
# Python in the same run, interleaved: every round runs each tool once, in turn, so a busy machine
# slows them alike. Medians over the rounds of wall time, CPU time (user + system) and peak RSS,
# all from GNU time (/usr/bin/time -f), with the load average at each figure.
#
#   benches/shapes.sh [SIZE] [ROUNDS]     default 1G and 3; e.g. benches/shapes.sh 256M 3
#
# Shapes (the issue's letters):
#   (a) one SIZE file of termtally's own extracted text (one paragraph per line), as bench.sh
#   (b) one SIZE file of `pdftotext` output of the shared PDFs (a line per printed line, line-end
#       hyphens, running headers), repeated
#   (c) (b) split into 4,000 files (a folder); also the same 4,000 given twice (8,000 documents,
#       --keep-duplicates) for peak RSS against the number of documents; ripgrep searches the
#       folder in parallel
#   (d) the shared PDFs copied 10 times (each copy made distinct by a trailing PDF comment, so
#       none is a duplicate): termtally extract vs pdftotext with xargs -P 2
#   (e) a corpus whose vocabulary grows: (b)'s text with every word suffixed by a counter that
#       changes every 10 MB, at three sizes, for `words` and `diff --all-words` against Python
# Counts are checked equal on the same text: ripgrep with termtally's word rule (PCRE2) over the
# text termtally counts (`termtally extract` output of the pdftotext seed; see the summary).
# SHAPES="a b c" runs only those shapes (default all: a b c d e).
# Generated data goes to $BENCH_TMP (default /tmp/termtally-shapes, about 4 GB at 1G) and is
# deleted at the end unless BENCH_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-1G}
rounds=${2:-3}
target_bytes=$(numfmt --from=iec "$size")
corpora=${TERMTALLY_CORPORA:-../shared/corpora}
tmp=${BENCH_TMP:-/tmp/termtally-shapes}
jobs=$(nproc)
export LC_ALL=C

for tool in cargo rg pdftotext python3 /usr/bin/time numfmt split; do
  command -v "$tool" >/dev/null || { echo "shapes.sh: $tool is missing" >&2; exit 2; }
done
[ -f "$corpora/SOURCES.md" ] || { echo "shapes.sh: no corpora at $corpora" >&2; exit 2; }
# BENCH_TERMTALLY=BINARY measures that binary instead of building one.
if [ -n "${BENCH_TERMTALLY:-}" ]; then
  tt=$BENCH_TERMTALLY
else
  cargo build --release --quiet
  tt=$PWD/target/release/termtally
fi
want() { [[ " ${SHAPES:-a b c d e} " == *" $1 "* ]]; }
mkdir -p "$tmp"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$tmp"' EXIT
log=$tmp/times.tsv
: >"$log"

# --- inputs -----------------------------------------------------------------------------------
mapfile -t pdfs < <(find "$corpora" -name '*.pdf' ! -name '*.corrupt.pdf' | sort)
repeat_to() { # repeat_to SEED OUT
  : >"$2"
  while [ "$(stat -c %s "$2")" -lt "$target_bytes" ]; do cat "$1" >>"$2"; done
}
echo "== inputs in $tmp"
"$tt" extract "${pdfs[@]}" >"$tmp/seed-a.txt"
repeat_to "$tmp/seed-a.txt" "$tmp/a.txt"
for pdf in "${pdfs[@]}"; do pdftotext "$pdf" -; done >"$tmp/seed-b.txt"
repeat_to "$tmp/seed-b.txt" "$tmp/b.txt"
mkdir -p "$tmp/c"
(cd "$tmp/c" && split -n l/4000 -a 4 -d --additional-suffix=.txt ../b.txt part-)
find "$tmp/c" -name '*.txt' | sort >"$tmp/c-4000.list"
cat "$tmp/c-4000.list" "$tmp/c-4000.list" >"$tmp/c-8000.list"
rm "$tmp/b.txt" # (c) holds the same bytes; (b) is rebuilt below for its own runs
repeat_to "$tmp/seed-b.txt" "$tmp/b.txt"
want d && mkdir -p "$tmp/d"
want d && for k in $(seq 1 10); do
  for pdf in "${pdfs[@]}"; do
    out="$tmp/d/$k-$(basename "$pdf")"
    { cat "$pdf"; printf '\n%% copy %d\n' "$k"; } >"$out"
  done
done
want e && python3 - "$tmp/seed-b.txt" "$tmp" "$target_bytes" <<'PY'
# (e): the pdftotext text repeated, every word suffixed with "x<segment>", a new segment every
# 10 MB; written as two halves (diff's old and new sides; words reads both).
import sys
seed, tmp, target = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], int(sys.argv[3])
for name, size in (("e1", target // 16), ("e2", target // 8), ("e3", target // 4)):
    segments = max(2, size // (10 << 20))
    for half, part in (("old", range(segments // 2)), ("new", range(segments // 2, segments))):
        with open(f"{tmp}/{name}-{half}.txt", "w", encoding="utf-8") as out:
            for segment in part:
                text = seed.replace(" ", f"x{segment} ").replace("\n", f"x{segment}\n")
                while len(text) < 10 << 20:
                    text += text
                out.write(text[: 10 << 20])
PY
du -sh "$tmp"

# The lexicon's forms; ripgrep as bench.sh runs it.
mapfile -t forms < <("$tt" lexicon show boddison-soan-2021 |
  python3 -c 'import sys, tomllib; [print(f) for t in tomllib.loads(sys.stdin.read())["terms"] for f in t["forms"]]')
rg_word="rg --no-config --count-matches -i -w"
for f in "${forms[@]}"; do rg_word+=" -e $(printf '%q' "$f")"; done
alternation=$(IFS='|'; echo "${forms[*]}")
rule="(?<![\p{L}\p{N}])(?<![\p{L}\p{N}]['-])(?:$alternation)(?![\p{L}\p{N}])(?!['-][\p{L}\p{N}])"
count="$tt count --lexicon boddison-soan-2021 --mode word -f csv"
py_words='import sys, re, collections; c = collections.Counter(w for f in sys.argv[1:] for line in open(f, encoding="utf-8") for w in re.findall(r"\w+", line.lower())); sys.stdout.writelines(f"{w}\t{n}\n" for w, n in c.items())'

# --- runs: each round runs every command of a shape once, in turn ------------------------------
measure() { # measure SHAPE NAME CMD : one run, a line of $log
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time.out" sh -c "$3 >/dev/null 2>&1" || true
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$(cat "$tmp/time.out" | tail -1)" "$load" >>"$log"
}
shape() { # shape SHAPE NAME1 CMD1 NAME2 CMD2 ...
  local s=$1; shift
  echo "== $s"
  for _ in $(seq 1 "$rounds"); do
    local args=("$@")
    for ((i = 0; i < ${#args[@]}; i += 2)); do measure "$s" "${args[i]}" "${args[i + 1]}"; done
  done
}
cat "$tmp/a.txt" "$tmp/b.txt" >/dev/null
want a && shape a "termtally count" "$count $tmp/a.txt" "rg -w" "$rg_word $tmp/a.txt"
want b && shape b "termtally count" "$count $tmp/b.txt" "rg -w" "$rg_word $tmp/b.txt"
find "$tmp/c" -name '*.txt' -exec cat {} + >/dev/null
want c && shape c "termtally count (4,000 files)" "$count --files-from $tmp/c-4000.list" \
  "rg -w (4,000 files, parallel)" "$rg_word $tmp/c" \
  "termtally count (8,000: the 4,000 twice, --keep-duplicates)" "$count --keep-duplicates --files-from $tmp/c-8000.list" \
  "termtally count (4,000, --keep-duplicates)" "$count --keep-duplicates --files-from $tmp/c-4000.list"
want d && shape d "termtally extract (540 PDFs)" "$tt extract $tmp/d" \
  "pdftotext xargs -P $jobs" "find $tmp/d -name '*.pdf' -print0 | xargs -0 -P $jobs -I{} pdftotext {} -"
want e && for e in e1 e2 e3; do
  shape "e-$e" "termtally words" "$tt words -f csv $tmp/$e-old.txt $tmp/$e-new.txt" \
    "termtally diff --all-words" "$tt diff --all-words -f csv $tmp/$e-old.txt $tmp/$e-new.txt" \
    "python Counter" "python3 -c '$py_words' $tmp/$e-old.txt $tmp/$e-new.txt"
done

# --- counts -----------------------------------------------------------------------------------
total() { awk -F, '$1 == "term" && $2 != "(all documents)" { s += $7 } END { print s + 0 }'; }
sum_rg() { awk -F: '{ s += $NF } END { print s + 0 }'; }
"$tt" extract "$tmp/seed-b.txt" >"$tmp/seed-b-clean.txt"
{
  echo "seed-b: termtally count of the pdftotext text $($count "$tmp/seed-b.txt" | total)"
  echo "seed-b: termtally count of its termtally-extract text $($count "$tmp/seed-b-clean.txt" | total)"
  echo "seed-b: rg -P (termtally's word rule) on the termtally-extract text $(rg --no-config --count-matches -i -P "$rule" "$tmp/seed-b-clean.txt" || echo 0)"
  echo "seed-b: rg -P (termtally's word rule) on the pdftotext text $(rg --no-config --count-matches -i -P "$rule" "$tmp/seed-b.txt" || echo 0)"
  echo "seed-b: rg -w on the pdftotext text $(eval "$rg_word $tmp/seed-b.txt" || echo 0)"
  echo "b: termtally count $($count "$tmp/b.txt" | total)"
  echo "b: rg -w $(eval "$rg_word $tmp/b.txt" || echo 0)"
  echo "b: rg -P (termtally's word rule) $(rg --no-config --count-matches -i -P "$rule" "$tmp/b.txt" || echo 0)"
  echo "b: repeats of seed-b $(( $(stat -c %s "$tmp/b.txt") / $(stat -c %s "$tmp/seed-b.txt") ))"
  echo "c: termtally count (4,000 files) $($count --files-from "$tmp/c-4000.list" | total)"
  echo "c: rg -w (4,000 files) $(eval "$rg_word $tmp/c" | sum_rg)"
  echo "c: rg -P (termtally's word rule, 4,000 files) $(rg --no-config --count-matches -i -P "$rule" "$tmp/c" | sum_rg)"
  echo "a: termtally count $($count "$tmp/a.txt" | total)"
  echo "a: rg -P (termtally's word rule) $(rg --no-config --count-matches -i -P "$rule" "$tmp/a.txt" || echo 0)"
  want e && for e in e1 e2 e3; do
    echo "$e: $(cat "$tmp/$e-old.txt" "$tmp/$e-new.txt" | wc -c) bytes, word types $("$tt" words -f json "$tmp/$e-old.txt" "$tmp/$e-new.txt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["types"])')"
  done
  # merge of 4 shards of (c) equals the single run
  split -n l/4 -d "$tmp/c-4000.list" "$tmp/shard-list-"
  for l in "$tmp"/shard-list-*; do "$tt" count -f json --files-from "$l" >"$l.json"; done
  "$tt" merge -f json "$tmp"/shard-list-*.json >"$tmp/merged.json"
  "$tt" count -f json --files-from "$tmp/c-4000.list" >"$tmp/single.json"
  echo "c: merge of 4 shards equals the single run: $(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); b["notes"].pop(); print("yes" if a == b else "NO")' "$tmp/single.json" "$tmp/merged.json")"
} | tee "$tmp/counts.txt"

# --- summary ----------------------------------------------------------------------------------
python3 - "$log" <<'PY' | tee "$tmp/summary.md"
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
order, runs = [], {}
for shape, name, t, load in rows:
    wall, user, system, rss_kb = t.split()
    key = (shape, name)
    if key not in runs:
        order.append(key)
        runs[key] = []
    runs[key].append((float(wall), float(user) + float(system), int(rss_kb) / 1024, float(load)))
print("| shape | command | runs | wall s (median) | CPU s (median) | peak RSS MB (median) | load avg at runs |")
print("|---|---|---:|---:|---:|---:|---|")
for key in order:
    r = runs[key]
    med = lambda i: statistics.median(x[i] for x in r)
    loads = ", ".join(f"{x[3]:.1f}" for x in r)
    print(f"| {key[0]} | {key[1]} | {len(r)} | {med(0):.2f} | {med(1):.2f} | {med(2):.0f} | {loads} |")
PY
