#!/usr/bin/env bash
# Build a reference corpus and check examples/sample_article.txt against it.
# Uses the UN OCHA oPt Flash Updates from ../shared/data when present, else the small
# demo corpus in examples/corpus/ (illustrative, paraphrased; not an authoritative source).
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=${OUT:-out}
OCHA=${OCHA:-../shared/data/ocha-opt-flash-updates-2023-2024/flash_updates_passages.jsonl}
mkdir -p "$OUT"
if [ -f "$OCHA" ]; then
  DB=${DB:-$OUT/ocha.db}
  "$BIN/claimscope" corpus add "$OCHA" --db "$DB" --date-field report_date \
    --source-field 'UN OCHA oPt Flash Update #{flash_update_no}' --publisher-field '=UN OCHA oPt'
else
  DB=${DB:-$OUT/demo-corpus.db}
  "$BIN/claimscope" corpus add examples/corpus/ --db "$DB"
fi
# The sample article has no published date: check its claims as of the day it describes.
"$BIN/claimscope" analyze examples/sample_article.txt --corpus "$DB" --as-of 2023-11-18 \
  -o "$OUT" --format json,html,md,claimreview
