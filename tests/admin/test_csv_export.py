"""The one CSV export every report uses: text never read as a spreadsheet formula, numbers
(even negative amounts already formatted as text) left as numbers, None as an empty cell."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from admin.csv_export import csv_response, csv_text


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_formula_typed_as_a_name_is_written_as_text():
    text = csv_text(["name"], [['=HYPERLINK("http://evil.test","x")'], ["+1+1"], ["@SUM(A1)"]])
    assert [row[0] for row in rows_of(text)[1:]] == [
        '\'=HYPERLINK("http://evil.test","x")',
        "'+1+1",
        "'@SUM(A1)",
    ]


def test_numbers_stay_numbers_and_none_is_empty():
    text = csv_text(["a", "b", "c", "d"], [[Decimal("-600.00"), "-600.00", "+1,250.5", None]])
    assert rows_of(text)[1] == ["-600.00", "-600.00", "+1,250.5", ""]
    assert rows_of(csv_text(["x"], [["-5 days late"]]))[1] == ["'-5 days late"]


def test_the_download_is_named_and_not_sniffed(app):
    with app.test_request_context():
        response = csv_response("aging-2026-11-30", ["a"], [[1]])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="aging-2026-11-30.csv"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
