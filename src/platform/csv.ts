/**
 * Neutralises a spreadsheet formula for CSV export: a cell starting with = + - @ tab or carriage return
 * is prefixed with an apostrophe (OWASP "CSV injection").
 */
export function csvSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV cell: empty for null, formulas neutralised, quoted when it holds a quote, separator or line break. */
export function csvCell(v: string | number | null): string {
  if (v === null) return "";
  const safe = csvSafe(String(v));
  return /[",;\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
