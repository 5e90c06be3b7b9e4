/**
 * Folds a French place name or query for matching: no accents, no case, no punctuation,
 * common abbreviations expanded ("St-Étienne" → "saint etienne", "CC du …" = "communauté de communes du …").
 */
const ABBREVIATIONS: Record<string, string> = { st: "saint", ste: "sainte", sts: "saints", stes: "saintes" };
const PHRASES: [RegExp, string][] = [
  [/\bcommunaute de communes\b/g, "cc"],
  [/\bcommunaute d agglomeration\b/g, "ca"],
  [/\bcommunaute urbaine\b/g, "cu"],
];

export function normalize(text: string): string {
  let s = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
  if (s.includes("communaute")) for (const [re, short] of PHRASES) s = s.replace(re, short);
  if (s === "") return s;
  return s
    .split(" ")
    .map((w) => ABBREVIATIONS[w] ?? w)
    .join(" ");
}

/** Trigrams of a normalised text, padded per word as pg_trgm does ("  w", " wo", "wor", "rd "). */
export function trigrams(norm: string): Set<string> {
  const out = new Set<string>();
  for (const word of norm.split(" ")) {
    if (!word) continue;
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  }
  return out;
}
