#!/usr/bin/env node
// Derives data/geo/communes-anciens-codes-cog2025.csv.gz from the official COG 2025 as packaged by
// @etalab/decoupage-administratif@6.0.0 (INSEE, Licence Ouverte): every former commune code and the current
// commune it now belongs to. Usage: node scripts/derive-anciens-codes.mjs path/to/package/data/communes.json
// (get the file with `npm pack @etalab/decoupage-administratif@6.0.0` and `tar xzf` it).
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const communes = JSON.parse(readFileSync(process.argv[2], "utf8"));
const current = new Map(communes.filter((c) => c.type === "commune-actuelle").map((c) => [c.code, c]));
const rows = new Map();
// 1. Codes that a current commune declares as its former codes (mergers, changes of département).
for (const c of current.values())
  for (const old of c.anciensCodes ?? []) rows.set(old, [old, c.code, "", "ancien-code"]);
// 2. Communes déléguées and associées: their code leads to their chef-lieu (the current commune).
for (const c of communes) {
  if (
    (c.type === "commune-deleguee" || c.type === "commune-associee") &&
    c.chefLieu &&
    c.code !== c.chefLieu
  ) {
    if (!current.has(c.code) && current.has(c.chefLieu))
      rows.set(c.code, [c.code, c.chefLieu, c.nom, c.type]);
  }
}
const quote = (s) => (/[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const lines = [
  "code_ancien,code_actuel,nom_ancien,origine",
  ...[...rows.values()].sort().map((r) => r.map(quote).join(",")),
];
writeFileSync(
  "data/geo/communes-anciens-codes-cog2025.csv.gz",
  gzipSync(`${lines.join("\n")}\n`, { level: 9 }),
);
console.log(`${rows.size} anciens codes`);
