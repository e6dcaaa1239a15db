#!/usr/bin/env bash
# The corpus linguist's toolkit against `words` (issue 21): `ngrams -n 2..3` and `collocates`
# over the same large text must take at most 3x the time of `words`.
#
#   benches/toolkit.sh [SIZE]        e.g. benches/toolkit.sh 1G  (default 1G)
#
# Builds termtally in release mode; makes SIZE of text in a temporary folder (TMPDIR, removed
# at the end) from the text termtally extracts from every PDF and XML file of the corpora,
# repeated; then runs words, ngrams and collocates one after another, ROUNDS times (default 3),
# interleaved so that a machine busy with other work slows all three alike, each under
# /usr/bin/time -v (wall time, CPU time user+sys and peak memory). Prints the median of each,
# the ratios to words and a Markdown table for BENCHMARKS.md. Needs cargo, python3 and GNU time
# (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-1G}
rounds=${ROUNDS:-3}
corpora=${TERMTALLY_CORPORA:-../shared/corpora}
target_bytes=$(numfmt --from=iec "$size")
for tool in cargo python3 /usr/bin/time numfmt; do
  command -v "$tool" >/dev/null || { echo "toolkit.sh: $tool is missing" >&2; exit 2; }
done
[ -f "$corpora/SOURCES.md" ] || { echo "toolkit.sh: no corpora at $corpora (set TERMTALLY_CORPORA)" >&2; exit 2; }

echo "== building termtally (release)"
cargo build --release --quiet
tt=$PWD/target/release/termtally
work=$(mktemp -d "${TMPDIR:-/tmp}/termtally-toolkit.XXXXXX")
trap 'rm -rf "$work"' EXIT

mapfile -t inputs < <(find "$corpora" \( -name '*.pdf' ! -name '*.corrupt.pdf' -o -name '*.xml' \) | sort)
"$tt" extract "${inputs[@]}" >"$work/seed.txt"
big=$work/big.txt
while [ "$(stat -c %s "$big" 2>/dev/null || echo 0)" -lt "$target_bytes" ]; do cat "$work/seed.txt" >>"$big"; done
echo "   input: $(numfmt --to=iec "$(stat -c %s "$big")") of text from ${#inputs[@]} documents"

declare -A commands=(
  [words]="$tt words -f csv $big"
  [ngrams]="$tt ngrams -n 2..3 -f csv $big"
  [collocates]="$tt collocates information -f csv $big"
)
order=(words ngrams collocates)
: >"$work/times.tsv"
for round in $(seq "$rounds"); do
  for name in "${order[@]}"; do
    /usr/bin/time -v -o "$work/time.txt" sh -c "${commands[$name]} > $work/out.csv"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.txt")
    rss=$(awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }' "$work/time.txt")
    cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$work/time.txt")
    rows=$(($(wc -l <"$work/out.csv") - 1))
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$wall" "$rss" "$rows" "$cpu" | tee -a "$work/times.tsv"
  done
done

python3 - "$work/times.tsv" "$size" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
path, size, cores, load = sys.argv[1:]
runs = {}
for line in open(path):
    _, name, wall, rss, rows, cpu = line.split("\t")
    runs.setdefault(name, []).append((float(wall), int(rss), int(rows), float(cpu)))
words = statistics.median(w for w, _, _, _ in runs["words"])
words_cpu = statistics.median(c for _, _, _, c in runs["words"])
print(f"\n{size} of text, {cores} cores, load average {load} at the end; median of {len(runs['words'])} interleaved rounds\n")
print("| command | median wall (s) | runs (s) | x words | median CPU user+sys (s) | CPU x words | peak RSS (MB) | rows | within 3x |")
print("|---|---|---|---|---|---|---|---|---|")
labels = {"words": "words", "ngrams": "ngrams -n 2..3", "collocates": "collocates information"}
for name in ["words", "ngrams", "collocates"]:
    walls = [w for w, _, _, _ in runs[name]]
    median = statistics.median(walls)
    ratio = median / words
    cpu = statistics.median(c for _, _, _, c in runs[name])
    per_round = " / ".join(f"{w:.1f}" for w in walls)
    ok = "-" if name == "words" else ("yes" if ratio <= 3 else "NO")
    rss = max(r for _, r, _, _ in runs[name])
    print(f"| {labels[name]} | {median:.2f} | {per_round} | {ratio:.2f} | {cpu:.2f} | {cpu / words_cpu:.2f} | {rss} | {runs[name][0][2]} | {ok} |")
PY
