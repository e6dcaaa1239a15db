#!/usr/bin/env bash
# Same output from two termtally binaries: runs every command in every --format, to standard
# output and to `-o FILE`, on a pipe and (where it changes the output) on a terminal, over the
# shared corpora, and diffs what OLD and NEW wrote (stdout, stderr, exit code, files).
#
#   benches/same-output.sh OLD_BIN NEW_BIN [CORPORA]
#
# A refactor that must not change behaviour prints "same" for every case and exits 0. The whole
# corpus goes through the runs whose output carries everything (extract jsonl, count json in
# 3 modes x 3 --by, kwic/diff/words json); the format x destination matrix runs on a few
# documents, so the script takes minutes, not hours.
set -uo pipefail

corpora=$(realpath "${3:-${TERMTALLY_CORPORA:-$(dirname "$0")/../../shared/corpora}}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both binaries are called `termtally` (clap prints the name in --help).
mkdir -p "$work/bin/old" "$work/bin/new"
cp "$1" "$work/bin/old/termtally"
cp "$2" "$work/bin/new/termtally"
old=$work/bin/old/termtally
new=$work/bin/new/termtally
export NO_COLOR=
unset TERMTALLY_STREAM_THRESHOLD TERMTALLY_STREAM_CHUNK

mapfile -t all < <(find "$corpora" -type f \( -name '*.pdf' -o -name '*.xml' -o -name '*.html' \
  -o -name '*.docx' -o -name '*.txt' \) | sort)
few=("$corpora/dfe-children-missing-education-2024-08.pdf"
  "$corpora/ukpga-geo3-49-126-revised.xml"
  "$corpora/ofsted-cqc-area-send-inspection-dorset-2024-05.pdf")
# A large text file (read as a stream) and a broken PDF (exit code 1, its error line).
big="$work/big.txt"
for _ in $(seq 40); do cat "$corpora/SOURCES.md"; done >"$big"
broken="$corpora/wikipedia-cabinet-office-2023-10-03.corrupt.pdf"

cases=0
differ=0
# run NAME [--tty] ARGS...: runs both binaries in their own directory (so -o FILE lands there).
run() {
  local name=$1
  shift
  local tty=
  if [ "${1:-}" = --tty ]; then
    tty=1
    shift
  fi
  cases=$((cases + 1))
  for side in old new; do
    local bin=$old
    [ $side = new ] && bin=$new
    local dir="$work/$side/$name"
    mkdir -p "$dir"
    (
      cd "$dir" || exit
      if [ -n "$tty" ]; then
        # A pseudo-terminal 120 columns wide: colour, fitted widths.
        COLUMNS=120 script -qec "stty cols 120; $(printf '%q ' "$bin" "$@")" /dev/null \
          >stdout 2>stderr </dev/null
      else
        "$bin" "$@" >stdout 2>stderr </dev/null
      fi
      echo $? >rc
    )
  done
  if diff -r "$work/old/$name" "$work/new/$name" >"$work/diff.txt"; then
    echo "same    $name"
  else
    differ=$((differ + 1))
    echo "DIFFERS $name"
    head -20 "$work/diff.txt" | sed 's/^/    /'
  fi
}

# extract: jsonl of every document (the record the other commands read), text of a few.
run extract-jsonl extract --format jsonl "${all[@]}"
run extract-text extract "${few[@]}"
run extract-dir extract --format jsonl -o out "${few[@]}"

# count: every document, 3 modes x 3 units, JSON (it carries every row and note).
for mode in word family substring; do
  for by in document page section; do
    run "count-$mode-$by" count --mode "$mode" --by "$by" -f json "${all[@]}"
  done
done
run count-contexts count --with-contexts 2 -f json "${few[@]}" "$big"
run count-lexicon count --lexicon modality -f json "${few[@]}"

# kwic, diff, words: every document in JSON.
run kwic-all kwic --lexicon boddison-soan-2021 -f json "${all[@]}"
run kwic-sentence kwic "must not" --sentence -f json "${all[@]}"
run diff-all diff --old "${all[@]:0:20}" --new "${all[@]:20}" -f json
run diff-words diff "${few[0]}" "${few[2]}" --all-words --min-count 3 -f json
run words-all words --top 500 -f json "${all[@]}"

# Every format to stdout (pipe and terminal) and to -o FILE, on a few documents.
for format in table csv tsv json md latex; do
  ext=$format
  [ $format = table ] && ext=txt
  [ $format = latex ] && ext=tex
  run "count-$format" count --by page -f "$format" "${few[@]}" "$big" "$broken"
  run "count-$format-file" count --by page -o "out.$ext" "${few[@]}"
  run "kwic-$format" kwic --lexicon boddison-soan-2021 -f "$format" "${few[@]}"
  run "kwic-$format-file" kwic coproduction -o "out.$ext" "${few[@]}"
  run "diff-$format" diff "${few[0]}" "${few[2]}" -f "$format"
  run "diff-$format-file" diff "${few[0]}" "${few[2]}" --all-words -o "out.$ext"
  run "words-$format" words --top 40 -f "$format" "${few[@]}" "$big"
  run "words-$format-file" words --top 40 -o "out.$ext" "${few[@]}"
done
for cmd in "count --by section" "kwic coproduction" "diff" "words --top 30"; do
  set -- $cmd
  name="${1}-tty"
  if [ "$1" = diff ]; then
    run "$name" --tty "$@" "${few[0]}" "${few[2]}"
  else
    run "$name" --tty "$@" "${few[@]}"
  fi
  NO_COLOR=1 run "$name-nocolor" --tty "$@" "${few[0]}" "${few[2]}"
done
run reproduce-json reproduce --act "${few[1]}" --code "${few[0]}" -f json
run lexicon-list lexicon list -f json
run lexicon-show lexicon show boddison-soan-2021
run file-exists count -o /etc/hostname "${few[0]}"
run help-count count --help
run help-kwic kwic --help
run help-diff diff --help
run help-words words --help

echo "$cases cases, $differ differ"
[ $differ -eq 0 ]
