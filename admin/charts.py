"""Charts drawn on the server as inline SVG: no script, no CDN, the same markup in the admin,
the portal and the PDF documents (WeasyPrint draws SVG).

Three shapes cover the dashboards and reports:

- ``bar_chart``: vertical bars, one per label (revenue by month, KPI value against target);
- ``hbar_chart``: horizontal bars, one per row (the pipeline funnel, receivables aging);
- ``line_chart``: one or more series over the same labels (the NPS/CSAT trend).

Every chart is ``role="img"`` with an ``aria-label``; it carries ``data-chart="<name>"`` and
each bar or point a ``data-key`` and ``data-value`` (the figure itself, not its pixels), a
``<title>`` tooltip and its value as text, so a reader, a screen reader and a browser test can
all check that the chart is drawn from the data. Values are Decimals or ints (``None``: no
figure, nothing drawn); only the pixel geometry is computed in floats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup, escape

PALETTE = ("#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#be123c", "#0f766e")


@dataclass(frozen=True)
class Bar:
    """One bar: its key (``data-key``), label, figure and an optional colour."""

    key: str
    label: str
    value: Decimal | int | None
    color: str | None = None


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a value per label (None: a gap)."""

    key: str
    label: str
    values: Sequence[Decimal | int | None]
    color: str | None = None


@dataclass
class _Svg:
    name: str
    label: str
    width: int
    height: int
    parts: list[str] = field(default_factory=list)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def markup(self) -> Markup:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(self.name)}" '
            f'data-chart="{escape(self.name)}" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'aria-label="{escape(self.label)}" class="chart">'
            f"<title>{escape(self.label)}</title>"
        )
        return Markup(head + "".join(self.parts) + "</svg>")


def _plain(value) -> str:
    """The figure as written in ``data-value``: the number without grouping."""
    return "" if value is None else str(value)


def default_format(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _text(x, y, content, anchor="middle", size=10, fill="#555", extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{extra}>{escape(content)}</text>'
    )


def bar_chart(
    name: str,
    bars: Sequence[Bar],
    label: str,
    *,
    width: int = 640,
    height: int = 220,
    fmt: Callable = default_format,
    markers: dict[str, Decimal | int | None] | None = None,
) -> Markup:
    """Vertical bars from 0 to the highest value (which fills the plot); ``markers`` draws a
    dashed line per bar key at another figure (a target)."""
    if not bars:
        return Markup("")
    svg = _Svg(name, label, width, height)
    left, right, top, bottom = 10, 10, 18, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    markers = markers or {}
    figures = [b.value for b in bars if b.value is not None]
    figures += [m for m in markers.values() if m is not None]
    highest = max((abs(v) for v in figures), default=0) or 1
    slot = plot_w / len(bars)
    bar_w = slot * 0.7
    base_y = top + plot_h
    svg.add(f'<line x1="{left}" x2="{width - right}" y1="{base_y}" y2="{base_y}" stroke="#999"/>')
    for index, bar in enumerate(bars):
        x = left + index * slot + (slot - bar_w) / 2
        value = bar.value if bar.value is not None else 0
        h = plot_h * float(abs(value)) / float(highest)
        color = bar.color or ("#be123c" if value < 0 else PALETTE[0])
        tip = f"{bar.label}: {fmt(bar.value)}"
        svg.add(
            f'<g class="bar" data-key="{escape(bar.key)}" data-value="{_plain(bar.value)}">'
            f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{color}"><title>{escape(tip)}</title></rect>'
            + _text(x + bar_w / 2, base_y - h - 4, fmt(bar.value), size=9)
            + _text(x + bar_w / 2, height - 18, bar.label)
            + "</g>"
        )
        target = markers.get(bar.key)
        if target is not None:
            ty = base_y - plot_h * float(abs(target)) / float(highest)
            svg.add(
                f'<line class="marker" data-key="{escape(bar.key)}" data-value="{_plain(target)}" '
                f'x1="{x - 4:.1f}" x2="{x + bar_w + 4:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
                f'stroke="#111" stroke-width="2" stroke-dasharray="4 2">'
                f"<title>{escape(bar.label)} target: {escape(fmt(target))}</title></line>"
            )
    return svg.markup()


def hbar_chart(
    name: str,
    bars: Sequence[Bar],
    label: str,
    *,
    width: int = 480,
    row_height: int = 26,
    label_width: int = 130,
    fmt: Callable = default_format,
) -> Markup:
    """Horizontal bars, one row per bar, the longest filling the width (a funnel, buckets)."""
    if not bars:
        return Markup("")
    value_width = 80
    height = row_height * len(bars) + 8
    svg = _Svg(name, label, width, height)
    plot_w = width - label_width - value_width
    highest = max((abs(b.value) for b in bars if b.value is not None), default=0) or 1
    for index, bar in enumerate(bars):
        y = 4 + index * row_height
        value = bar.value if bar.value is not None else 0
        w = plot_w * float(abs(value)) / float(highest)
        color = bar.color or PALETTE[index % len(PALETTE)]
        tip = f"{bar.label}: {fmt(bar.value)}"
        svg.add(
            f'<g class="bar" data-key="{escape(bar.key)}" data-value="{_plain(bar.value)}">'
            + _text(label_width - 6, y + row_height * 0.6, bar.label, anchor="end", size=11)
            + f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_height - 6}" '
            f'fill="{color}"><title>{escape(tip)}</title></rect>'
            + _text(label_width + w + 6, y + row_height * 0.6, fmt(bar.value), anchor="start")
            + "</g>"
        )
    return svg.markup()


def line_chart(
    name: str,
    labels: Sequence[str],
    series: Sequence[Series],
    label: str,
    *,
    y_range: tuple[int, int] | None = None,
    ticks: Sequence[int] = (),
    width: int = 640,
    height: int = 220,
    fmt: Callable = default_format,
) -> Markup:
    """Lines over ``labels`` (months), one per series, on a shared y axis (``y_range`` or the
    data's own); each point is a circle with its figure as ``data-value`` and tooltip."""
    if not labels:
        return Markup("")
    svg = _Svg(name, label, width, height)
    left, right, top, bottom = 40, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)
    figures = [v for s in series for v in s.values if v is not None]
    low, high = y_range or (min(figures, default=0), max(figures, default=1))
    span = float(high - low) or 1.0

    def y(value) -> float:
        return top + plot_h * float(high - value) / span

    for tick in ticks:
        svg.add(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/>' + _text(left - 6, y(tick) + 4, str(tick), anchor="end", fill="#777")
        )
    for index, line in enumerate(series):
        color = line.color or PALETTE[index % len(PALETTE)]
        points = [
            (left + i * step, y(value), labels[i], value)
            for i, value in enumerate(line.values)
            if value is not None
        ]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{py:.1f}" for x, py, *_ in points)
        svg.add(
            f'<g class="series" data-key="{escape(line.key)}">'
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}" '
            f'class="trend-{escape(line.key)}"/>'
        )
        for x, py, at, value in points:
            svg.add(
                f'<circle cx="{x:.1f}" cy="{py:.1f}" r="3" fill="{color}" '
                f'data-key="{escape(at)}" data-value="{_plain(value)}">'
                f"<title>{escape(line.label)} {escape(at)}: {escape(fmt(value))}</title></circle>"
            )
        svg.add("</g>")
        legend_x = left + 4 + index * 60
        svg.add(_text(legend_x, top + 12, line.label, anchor="start", size=11, fill=color))
    for i, at in enumerate(labels):
        svg.add(_text(left + i * step, height - 10, at))
    return svg.markup()
