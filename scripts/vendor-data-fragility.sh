#!/usr/bin/env bash
# Copies the real open-data files the fragility capability (IFN) needs from ../shared/data into data/,
# gzipped, byte for byte. Run from the repository root. Provenance of every file: data/PROVENANCE.md.
# (geo/communes-france-2024-rcarlier.csv is already copied by scripts/vendor-data.sh.)
set -euo pipefail
src=${1:-../shared/data}
copy() { mkdir -p "data/$(dirname "$1")"; gzip -9n -c "$src/$1" > "data/$1.gz"; }
copy ifn/ifn-communes-2023.csv
copy ifn/ifn-epci-2023.csv
copy insee/filosofi-2021-communes.csv
copy insee/table-appartenance-geo-communes-2022.csv
