// Reads a downloaded workbook with an independent reader (Python's openpyxl, installed by the test
// setup): sheet names and each sheet's first row.
import { execFileSync } from 'node:child_process';

export interface WorkbookOutline {
  sheets: string[];
  headers: Record<string, string[]>;
  rows: Record<string, number>;
}

const SCRIPT = `
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {"sheets": book.sheetnames, "headers": {}, "rows": {}}
for ws in book.worksheets:
    rows = list(ws.iter_rows(values_only=True))
    out["headers"][ws.title] = [str(v) for v in (rows[0] if rows else []) if v is not None]
    out["rows"][ws.title] = len(rows)
print(json.dumps(out))
`;

export function readWorkbook(path: string): WorkbookOutline {
  return JSON.parse(execFileSync('python3', ['-c', SCRIPT, path], { encoding: 'utf8' }));
}
