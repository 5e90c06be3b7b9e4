#!/usr/bin/env bash
# Copies the real open-data files Maillage ships from ../shared/data into data/, gzipped, byte for byte.
# Run from the repository root. Provenance of every file: data/PROVENANCE.md.
set -euo pipefail
src=${1:-../shared/data}
copy() { mkdir -p "data/$(dirname "$1")"; gzip -9n -c "$src/$1" > "data/$1.gz"; }
copy geo/communes-coordonnees-cog2025.csv
copy geo/communes-france-2024-rcarlier.csv
copy geo/epci-2025-simplifie.geojson
copy geo/departements-anct.geojson
copy geo/regions-avec-outre-mer-2018.geojson
for f in "$src"/geo/communes-par-departement/communes-*.geojson; do copy "geo/communes-par-departement/$(basename "$f")"; done
