#!/usr/bin/env bash
# Copies the real politique de la ville files (QPV 2024 list and contours, contrats de ville 2015-2023) from
# ../shared/data into data/qpv/, gzipped, byte for byte. Run from the repository root. Provenance:
# data/PROVENANCE.md (qpv section).
set -euo pipefail
src=${1:-../shared/data}
copy() { mkdir -p "data/$(dirname "$1")"; gzip -9n -c "$src/$1" > "data/$1.gz"; }
copy qpv/qpv-2024-liste.csv
copy qpv/qpv-2024-contours.geojson
copy qpv/contrats-de-ville-2015-2023-centroides.geojson
copy qpv/qpv-2015-occitanie-contours-hackaviz2021.geojson
