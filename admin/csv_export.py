"""One way to export a report table as CSV: ``csv_response(filename, header, rows)``.

Every report's CSV (aging, statements, survey results, the monthly client report) goes
through it, so they share the same dialect, the download headers and the guard against
spreadsheet formulas: a text cell starting with ``=``, ``+``, ``-`` or ``@`` (a name typed as
``=HYPERLINK(...)``) is written with a leading apostrophe, as text, unless the whole cell is a
number (``-600.00``: a negative amount already formatted). Numbers (Decimal, int) are written
as they are; ``None`` is an empty cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@")


def cell(value) -> object:
    """A value as a spreadsheet should read it: text never as a formula, None as empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _number(value):
        return f"'{value}"
    return value


def _number(text: str) -> bool:
    """``text`` is a plain decimal number such as ``-600.00`` or ``+1,250.5``."""
    return re.fullmatch(r"[+-]?\d[\d,]*(\.\d+)?", text) is not None


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The header and rows as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A CSV download named ``filename`` (``.csv`` added when missing)."""
    if not filename.endswith(".csv"):
        filename += ".csv"
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
