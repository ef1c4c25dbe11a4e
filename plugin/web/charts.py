"""Server-side SVG charts: lift per group as a bar with its 95% confidence whisker; no JavaScript, no CDN."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape

from ..domain.impact import Cell

WIDTH, ROW, LEFT, RIGHT, TOP = 720, 40, 190, 70, 16
LABELS = {
    "mentors": lazy_gettext("Mentors"),
    "mentees": lazy_gettext("Executives (mentees)"),
    "under_30": lazy_gettext("Under-30s"),
}
POSITIVE, NEGATIVE, WHISKER, AXIS = "#2a7a4b", "#b3452f", "#1d2330", "#8a90a2"


def lift_chart(cells: list[Cell], title: str, threshold: int) -> Markup:
    """Absolute lift in percentage points for each group, with whiskers; suppressed groups say so."""
    low, high = _extent(cells)
    height = TOP + ROW * len(cells) + 26
    ident = "chart-" + "".join(ch for ch in title.lower() if ch.isalnum())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" class="chart">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(describe(cells, threshold))}</desc>',
    ]
    scale = _scale(low, high)
    zero = scale(0)
    parts.append(f'<line x1="{zero:.1f}" y1="{TOP - 8}" x2="{zero:.1f}" y2="{height - 22}" stroke="{AXIS}"/>')
    for index, cell in enumerate(cells):
        parts.append(_row(cell, TOP + ROW * index, scale, threshold))
    for tick in _ticks(low, high):
        x = scale(tick)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" fill="#3b4152">'
            f"{escape(gettext('%(value)s pp', value=f'{tick:+.0f}'))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def _row(cell: Cell, y: int, scale, threshold: int) -> str:
    label = f'<text x="0" y="{y + 20}" font-size="14">{escape(LABELS[cell.group])}</text>'
    if cell.status != "shown":
        return label + (
            f'<text x="{LEFT}" y="{y + 20}" font-size="13" font-style="italic" fill="#3b4152">'
            f"{escape(status_text(cell, threshold))}</text>"
        )
    lift = cell.absolute
    x0, x1 = sorted((scale(0), scale(lift.estimate * 100)))
    colour = POSITIVE if lift.estimate >= 0 else NEGATIVE
    lo, hi = scale(lift.low * 100), scale(lift.high * 100)
    return label + (
        f'<rect x="{x0:.1f}" y="{y + 6}" width="{max(x1 - x0, 1):.1f}" height="20" fill="{colour}" rx="2"/>'
        f'<line x1="{lo:.1f}" y1="{y + 16}" x2="{hi:.1f}" y2="{y + 16}" stroke="{WHISKER}" stroke-width="1.5"/>'
        f'<line x1="{lo:.1f}" y1="{y + 9}" x2="{lo:.1f}" y2="{y + 23}" stroke="{WHISKER}" stroke-width="1.5"/>'
        f'<line x1="{hi:.1f}" y1="{y + 9}" x2="{hi:.1f}" y2="{y + 23}" stroke="{WHISKER}" stroke-width="1.5"/>'
        f'<text x="{hi + 6:.1f}" y="{y + 20}" font-size="12">'
        f"{escape(gettext('%(value)s pp', value=points(lift.estimate)))}</text>"
    )


def points(share: float) -> str:
    """A share as signed percentage points with one decimal, never '-0.0'."""
    return f"{round(share * 100, 1) + 0.0:+.1f}"


def status_text(cell: Cell, threshold: int) -> str:
    """Why a cell shows no numbers, in words."""
    if cell.status == "suppressed":
        return gettext("Suppressed: fewer than %(num)s people to compare", num=threshold)
    if cell.status == "not_yet":
        return gettext("Not yet: %(num)s months have not passed since the start", num=cell.months)
    return gettext("Nobody in this group") if cell.status == "empty" else ""


def describe(cells: list[Cell], threshold: int) -> str:
    """The chart in words, for screen readers."""
    parts = []
    for cell in cells:
        if cell.status == "shown":
            a = cell.absolute
            parts.append(
                gettext(
                    "%(group)s: %(estimate)s percentage points (95%% CI %(low)s to %(high)s)",
                    group=LABELS[cell.group],
                    estimate=points(a.estimate),
                    low=points(a.low),
                    high=points(a.high),
                )
            )
        else:
            parts.append(
                gettext("%(group)s: %(status)s", group=LABELS[cell.group], status=status_text(cell, threshold))
            )
    return "; ".join(parts)


def _extent(cells: list[Cell]) -> tuple[float, float]:
    shown = [c.absolute for c in cells if c.status == "shown"]
    low = min([i.low * 100 for i in shown] + [-10.0])
    high = max([i.high * 100 for i in shown] + [10.0])
    return low, high


def _scale(low: float, high: float):
    span = high - low
    return lambda value: LEFT + (value - low) / span * (WIDTH - LEFT - RIGHT)


def _ticks(low: float, high: float) -> list[float]:
    step = 5 if high - low <= 40 else 10 if high - low <= 100 else 25
    start = int(low // step) * step
    return [t for t in range(start, int(high) + 1, step) if low <= t <= high]
