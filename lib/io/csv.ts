/**
 * One CSV field, RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled.
 * A value a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe, since annotations and tags quote text an attacker can choose. The one guard for
 * every CSV this tool writes (`evaluate --format csv`, `report --format csv`).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
