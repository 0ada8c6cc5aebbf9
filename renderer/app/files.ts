/** Files in and out of a window: a picked file as base64 (what the API takes), JSON or CSV as a download. */

/** The bytes of a picked file, base64-encoded as they are: the node checks their encoding, not the window. */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** Saves a value as a pretty-printed JSON file through the browser's own download. */
export function downloadJson(fileName: string, value: unknown): void {
  download(fileName, new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }));
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A field that a spreadsheet
 * would run as a formula (=, +, -, @ first) gets a leading apostrophe (OWASP "CSV injection").
 */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as RFC 4180 CSV text (CRLF line ends), the first row the header. */
export function toCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Saves rows as a CSV file through the browser's own download. */
export function downloadCsv(fileName: string, rows: readonly (readonly (string | number | null)[])[]): void {
  download(fileName, new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }));
}

function download(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
