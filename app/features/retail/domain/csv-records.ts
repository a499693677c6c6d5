/**
 * Reading a buyer's CSV record by record, each with the line it starts on in their file, and
 * never refusing the file for one bad record.
 *
 * Why not csv-parse's own recovery (`skip_records_with_error`, `relax_quotes`): tried on the
 * issue's examples, it reports an unquoted `=HYPERLINK("x")` twice, loses the row after a record
 * that is too long or has text after a closing quote, counts CRLF lines one too many, and an
 * unclosed quote swallows every following row. A buyer must get one answer per row of their
 * file, on the right line, so the records are read here (RFC 4180, comma-separated):
 * - a field that starts with `"` is quoted: `""` inside is a quote, it may span lines;
 * - a quote inside an unquoted field (`=HYPERLINK("x")`, `Screen 5" wide`) is kept as written, as
 *   spreadsheets read it; text after a closing quote (`"abc"def`) is kept after the quoted text;
 *   both are reported as the record's problem;
 * - a quoted field still open at the end of the file, or over MAX_RECORD_LINES lines or
 *   MAX_RECORD_CHARS characters, or closed only by a stray quote several lines on that leaves its
 *   record malformed (text after the closing quote), is a quote that was never closed: the record
 *   is its first line only (the quote kept as text), reported, and reading goes on at the next line.
 * Empty lines are skipped; a BOM is dropped; lines end with LF, CRLF or CR.
 */

export interface CsvRecord {
  /** The line of the file the record starts on (1 = the first line). */
  line: number;
  cells: string[];
  /** What is wrong with the record's CSV text (it was still read as described above), or null. */
  problem: string | null;
}

export const MAX_RECORD_LINES = 50;
export const MAX_RECORD_CHARS = 64 * 1024;

type Scan = { cells: string[]; end: number; lines: number; problem: string | null } | { open: true };

/**
 * Reads one record starting at `start`; `{open: true}` when a quoted field is never closed. With
 * `oneLine`, the record ends at the end of the line whatever its quotes say.
 */
function scanRecord(text: string, start: number, oneLine: boolean): Scan {
  const cells: string[] = [];
  let problem: string | null = null;
  let lines = 1;
  let i = start;
  const n = text.length;
  const note = (p: string) => (problem ??= p);
  for (;;) {
    // One field.
    let value = "";
    if (text[i] === '"') {
      const open = i;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (oneLine && (c === "\n" || c === "\r")) break;
        if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
          lines++;
          if (lines > MAX_RECORD_LINES) return { open: true };
        }
        value += c;
        i++;
        if (i - start > MAX_RECORD_CHARS) return { open: true };
      }
      if (!closed && !oneLine) return { open: true };
      if (!closed) {
        // Reading again, one line only: the opening quote is text, the field ends at the next comma.
        i = open + 1;
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") i++;
        value = text.slice(open, i);
        note(`a quote opened in field ${cells.length + 1} is never closed (read as written)`);
      }
      // Text after the closing quote, up to the delimiter: kept, reported.
      let after = "";
      while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") after += text[i++];
      if (after) {
        value += after;
        note(`text after a closing quote in field ${cells.length + 1} ("${after.slice(0, 20)}")`);
      }
    } else {
      const from = i;
      while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") i++;
      value = text.slice(from, i);
      if (value.includes('"')) {
        note(
          `a quote inside unquoted field ${cells.length + 1} (read as written; put the field in quotes and double its quotes)`,
        );
      }
    }
    cells.push(value);
    if (i >= n) return { cells, end: n, lines, problem };
    if (text[i] === ",") {
      i++;
      continue;
    }
    // End of the record: CRLF, LF or CR.
    i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
    return { cells, end: i, lines, problem };
  }
}

/** Every record of the text, in order, with its line. Never throws. */
export function readCsvRecords(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const out: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    // Skip empty lines.
    if (text[i] === "\n" || text[i] === "\r") {
      i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      continue;
    }
    let scan = scanRecord(text, i, false);
    // A quoted field that runs over several lines into a record that is itself malformed is a quote
    // left open that a later stray quote happened to close (`A7,"broken` ... `=HYPERLINK("x")`): read
    // as one field it would swallow every row between them without a word. Read as an unclosed quote.
    if ("open" in scan || (scan.lines > 1 && scan.problem))
      scan = scanRecord(text, i, true) as Exclude<Scan, { open: true }>;
    const blank = scan.cells.every((c) => c.trim() === "") && scan.lines === 1 && !scan.problem;
    if (!blank) out.push({ line, cells: scan.cells, problem: scan.problem });
    i = scan.end;
    line += scan.lines;
  }
  return out;
}

/**
 * Why a record has more cells than the header, or null: a comma in a cell that is not in quotes
 * splits it and moves every cell after it one column to the right, so the row would be read from
 * the wrong columns without a word. Empty cells past the header (a spreadsheet padding its rows)
 * move nothing and are not a problem.
 */
export function extraCellsProblem(cells: readonly string[], headerCells: number): string | null {
  if (cells.length <= headerCells || cells.slice(headerCells).every((c) => c.trim() === "")) return null;
  return `${cells.length} cells where the header has ${headerCells} (a comma in a cell that is not in quotes moves the cells after it to the next column; put that cell in quotes)`;
}

/** Everything wrong with a data record, in one phrase (its CSV text, then its cell count), or null. */
export function recordProblem(record: CsvRecord, headerCells: number): string | null {
  const problems = [record.problem, extraCellsProblem(record.cells, headerCells)].filter(Boolean);
  return problems.length ? problems.join("; ") : null;
}
