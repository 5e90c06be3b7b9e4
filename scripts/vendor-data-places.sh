#!/usr/bin/env bash
# Copies the real digital-mediation files used by src/places from ../shared/data into data/mediation/,
# gzipped, byte for byte, and the national standard (schema.json v1.0.2 and its valid example) into
# src/places/standard/. Run from the repository root. Provenance: data/PROVENANCE.md (mediation section).
set -euo pipefail
src=${1:-../shared/data}
standard=${2:-../shared/standards/lieux-mediation-numerique}
copy() { mkdir -p "data/$(dirname "$1")"; gzip -9n -c "$src/$1" > "data/$1.gz"; }
copy mediation/france-services-2024-08-01.csv
copy mediation/lieux-conseillers-numeriques-cnfs-2022-12.json
copy mediation/lieux-mediation-numerique-paca-hub-du-sud-2023-05.json
mkdir -p src/places/standard
cp "$standard/schema.json" "$standard/exemple-valide.csv" src/places/standard/
