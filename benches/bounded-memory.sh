#!/usr/bin/env bash
# The gigabyte cases of issue 17 at their real chunk size, with peak memory measured.
#
#   benches/bounded-memory.sh [SIZE]      e.g. benches/bounded-memory.sh 300M (the default)
#
# CI tests these cases with small chunks (tests/cli/bounded.rs); this script runs the release
# binary with the default streaming threshold (32 MB) and chunk (8 MB) over generated files of
# SIZE in $TMPDIR (default /tmp, deleted at the end), each under an RSS check from GNU time's
# "Maximum resident set size" and an address-space limit (prlimit --as, 2 GiB: the old kwic
# asked for 28 GB on a 2 GB text and aborted):
#   1. kwic partnership big.txt -o k.csv   paragraphs with a hit in one of 200; rows = hits
#   2. count big.txt                       the same text
#   3. words big.txt                       "partnership"'s count = hits
#   4. count nospace.txt                   SIZE without white space: tokens exact (3 a piece)
#   5. count /dev/zero notes.txt --timeout 5   fails alone, notes.txt counted
# Exits 1 if a run fails or its peak RSS is over LIMIT_MB (default 200).
# Needs cargo, python3, GNU time (/usr/bin/time) and prlimit (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."

size=$(numfmt --from=iec "${1:-300M}")
limit_mb=${LIMIT_MB:-200}
cargo build --release --quiet
bin=$PWD/target/release/termtally
work=$(mktemp -d "${TMPDIR:-/tmp}/termtally-bounded.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$size" <<'PY'
import sys
work, size = sys.argv[1], int(sys.argv[2])
filler = "Local authorities should keep families informed of the plan and the review.\n\n"
piece = filler * 199 + "Leaders work in partnership with parents and carers.\n\n"
nospace = "partnership,inform;consult."
for name, unit in (("big.txt", piece), ("nospace.txt", nospace)):
    block = unit * (1_048_576 // len(unit) + 1)
    with open(f"{work}/{name}", "w") as f:
        left = size
        while left > 0:
            part = block[: min(len(block), left)]
            f.write(part)
            left -= len(part)
hits = (size // len(piece)) + (1 if "partnership" in piece[: size % len(piece)] else 0)
rest = nospace[: size % len(nospace)]
tokens = 3 * (size // len(nospace)) + len([t for t in rest.replace(",", " ").replace(";", " ").replace(".", " ").split()])
open(f"{work}/expected", "w").write(f"{hits} {tokens}\n")
PY
read -r hits tokens <"$work/expected"
echo "notes on partnership working" >"$work/notes.txt"

failed=0
# measure NAME EXPECTED_EXIT COMMAND...: runs it under the limits, prints seconds and peak MB.
measure() {
  local name=$1 want=$2
  shift 2
  local code=0
  /usr/bin/time -v -o "$work/time" prlimit --as=$((2 << 30)) -- "$@" >"$work/out" 2>"$work/err" || code=$?
  local kb secs
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
  printf '%-34s exit %s  %s  peak %d MB\n' "$name" "$code" "$secs" $((kb / 1024))
  if [ "$code" != "$want" ] || [ $((kb / 1024)) -gt "$limit_mb" ]; then
    echo "   FAILED: expected exit $want and at most $limit_mb MB" >&2
    sed 's/^/   /' "$work/err" | head -5 >&2
    failed=1
  fi
}

echo "== $(numfmt --to=iec "$size") files, release binary, default threshold and chunk"
measure "kwic partnership -o k.csv" 0 "$bin" kwic partnership "$work/big.txt" -o "$work/k.csv"
rows=$(($(wc -l <"$work/k.csv") - 1))
[ "$rows" = "$hits" ] || { echo "   FAILED: kwic wrote $rows rows, expected $hits" >&2; failed=1; }
rm -f "$work/k.csv"
measure "count big.txt" 0 "$bin" count "$work/big.txt" -f json
measure "words big.txt" 0 "$bin" words "$work/big.txt" -f json
got=$(python3 -c 'import json,sys; print(next(r["count"] for r in json.load(open(sys.argv[1]))["rows"] if r["word"]=="partnership"))' "$work/out")
[ "$got" = "$hits" ] || { echo "   FAILED: words counted $got partnership, expected $hits" >&2; failed=1; }
rm -f "$work/big.txt"
measure "count nospace.txt" 0 "$bin" count "$work/nospace.txt" -f json
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["tokens"])' "$work/out")
[ "$got" = "$tokens" ] || { echo "   FAILED: $got tokens without spaces, expected $tokens" >&2; failed=1; }
rm -f "$work/nospace.txt"
measure "count --timeout 5 /dev/zero notes" 1 "$bin" count --timeout 5 /dev/zero "$work/notes.txt" -f json
grep -q '"tokens": 4' "$work/out" || { echo "   FAILED: notes.txt was not counted" >&2; failed=1; }
echo "== kwic rows $rows (expected $hits), nospace tokens $got (expected $tokens)"
exit $failed
