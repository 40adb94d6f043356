#!/usr/bin/env bash
# Rebuilds the README's pictures of the clinic edition from real output:
# page 1 of a branded leaflet, a large-print page, a bilingual page and the
# contact/governance page of the Arabic leaflet. Run from anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
clinic="$root/clinics/example.toml"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1795651200}"  # 2026-11-26, the publication date
python3 "$root/generate.py" build -q --clinic "$clinic" --lang en --lang ar --out "$out/std"
python3 "$root/generate.py" build -q --clinic "$clinic" --variant large-print --lang en \
  --out "$out/large"
python3 "$root/generate.py" build -q --clinic "$clinic" --variant bilingual --lang ar \
  --out "$out/bi"
picture() {  # picture PDF PAGE NAME
  pdftoppm -r 60 -png -singlefile -f "$2" -l "$2" "$1" "$root/docs/$3"
}
picture "$out/std/en/hsg.pdf" 1 clinic-page1-en
picture "$out/std/ar/hsg.pdf" 3 clinic-contact-ar
picture "$out/large/en/hsg-large-print.pdf" 1 clinic-large-print-en
picture "$out/bi/ar/hsg-bilingual.pdf" 1 clinic-bilingual-ar
