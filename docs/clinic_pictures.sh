#!/usr/bin/env bash
# Rebuilds the README's pictures of the clinic edition from real output:
# page 1 of a branded leaflet, a large-print page, a bilingual page and the
# contact/governance page of the Arabic leaflet. Run from anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
clinic="$root/clinics/example.toml"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1796169600}"  # 2026-12-02, the publication date
python3 "$root/generate.py" build -q --clinic "$clinic" --lang en --lang ar --out "$out/std"
python3 "$root/generate.py" build -q --clinic "$clinic" --variant large-print --lang en \
  --out "$out/large"
python3 "$root/generate.py" build -q --clinic "$clinic" --variant bilingual --lang ar \
  --out "$out/bi"
picture() {  # picture PDF PAGE NAME
  pdftoppm -r 60 -png -singlefile -f "$2" -l "$2" "$1" "$root/docs/$3"
}
picture "$out/std/en/hsg.pdf" 1 clinic-page1-en
# the page that holds the contact box
pages=$(pdfinfo "$out/std/ar/hsg.pdf" | awk '/^Pages:/ {print $2}')
for page in $(seq 1 "$pages"); do
  if pdftotext -f "$page" -l "$page" "$out/std/ar/hsg.pdf" - | grep "Mill Lane" >/dev/null; then
    picture "$out/std/ar/hsg.pdf" "$page" clinic-contact-ar
    break
  fi
done
picture "$out/large/en/hsg-large-print.pdf" 1 clinic-large-print-en
picture "$out/bi/ar/hsg-bilingual.pdf" 1 clinic-bilingual-ar
