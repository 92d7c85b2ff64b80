#!/usr/bin/env bash
# The printed documents' first A4 pages as pictures in docs/screenshots/: the year-end
# report, the headcount form BM01/BNV, the training form Biểu số 10-BTCTW and a Sơ yếu lý
# lịch (Mẫu 2C), each printed to PDF by headless Chromium (as a clerk's browser prints it)
# and its first page rendered by pdftoppm. Installs Debian's chromium and poppler-utils
# when missing. Run from the checkout: bash scripts/document-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
    as_root=""
    [ "$(id -u)" -eq 0 ] || as_root="sudo"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium poppler-utils >/dev/null
fi
cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cadre() { target/debug/cadre --data "$work/data" --quiet "$@"; }
cadre demo
cadre report --year 2017 --format html --out "$work/report-2017.html"
cadre form bm01 --year 2017 --format html --out "$work/bm01-2017.html"
cadre form 10-btctw --year 2017 --format html --out "$work/10-btctw-2017.html"
cadre cv DB-000020 > "$work/cv-2c.html"
for page in report-2017 bm01-2017 10-btctw-2017 cv-2c; do
    chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --no-pdf-header-footer \
        --print-to-pdf="$work/$page.pdf" "file://$work/$page.html" 2>/dev/null
    pdftoppm -png -f 1 -l 1 -r 70 -singlefile "$work/$page.pdf" "docs/screenshots/$page"
    echo "docs/screenshots/$page.png ($(pdfinfo "$work/$page.pdf" | grep -E '^(Pages|Page size)' | tr -s ' ' | tr '\n' ' '))"
done
