"""Render time of a one-page and a ten-page PDF document (WeasyPrint, the shared layout).

Run: ``.venv/bin/python bench/render_pdf.py [REPEATS]`` (default 20). Renders
``templates/documents/sample.html`` with a table long enough for one page and for ten, through
``jobs.pdf.render_pdf`` as a worker does: one FontConfiguration for the process, made by the
warm-up render, which is not counted. No database is touched.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPEATS = 20
# Lines of the sample table that fill one and ten A4 pages (checked below against the PDF).
DOCUMENTS = (("one-page", 1, 8), ("ten-page", 10, 225))


def make_app():
    from app import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench", "REDIS_URL": None}
    )


def sample_context(lines: int) -> dict:
    return {
        "document_title": "Quote",
        "number": "Q-2026-0001",
        "issued_on": "24 November 2026",
        "valid_until": "24 December 2026",
        "client": {"name": "Bench Client Holdings Inc.", "address": "1 Bench Road\nMakati City"},
        "lines": [
            {
                "description": f"Contingency recruitment: role {n} (fee on placement)",
                "quantity": 1,
                "rate": "85,000.00",
                "amount": "85,000.00",
            }
            for n in range(1, lines + 1)
        ],
        "subtotal": f"{85000 * lines:,}.00",
        "tax": f"{85000 * lines * 12 // 100:,}.00",
        "total": f"{85000 * lines * 112 // 100:,}.00",
        "currency": "PHP",
        "terms": ["Payment within 30 days of invoice.", "Replacement guarantee: 90 days."],
    }


def page_count(data: bytes) -> int | None:
    try:
        import pypdf
    except ImportError:  # a test extra; the figures do not need it
        return None
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def measure(context: dict, repeats: int) -> tuple[float, float, bytes]:
    """Median and p95 milliseconds of ``repeats`` renders, and the last PDF."""
    from jobs.pdf import render_pdf

    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        data = render_pdf("documents/sample.html", **context)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, data


def main(repeats: int) -> None:
    from jobs.pdf import render_pdf

    app = make_app()
    with app.app_context():
        render_pdf("documents/sample.html", **sample_context(1))  # warm up: fonts, templates
        print(f"PDF render, documents/sample.html ({repeats} renders each, after one warm-up)")
        for label, pages, lines in DOCUMENTS:
            median, p95, data = measure(sample_context(lines), repeats)
            got = page_count(data)
            note = "" if got in (None, pages) else f"  (note: {got} pages, not {pages})"
            print(
                f"  {label:>8} ({lines:3d} lines, {len(data) / 1024:6.1f} KB): "
                f"median {median:7.1f} ms  p95 {p95:7.1f} ms{note}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REPEATS)
