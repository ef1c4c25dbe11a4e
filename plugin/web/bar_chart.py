"""Small server-side SVG bars for the dashboard: one stacked bar of counts with its legend; no JavaScript.

Every text is escaped; each chart carries a title and a description in words for screen readers.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, BAR, LEGEND_ROW = 480, 22, 20
EMPTY, INK = "#e8e9ef", "#1d2330"


def stacked_bar(segments: list[tuple[str, int, str]], title: str, ident: str, empty_text: str) -> Markup:
    """Counts as one bar split by category (label, count, colour), with a legend of labels and counts."""
    total = sum(count for _, count, _ in segments)
    shown = [s for s in segments if s[1]]
    height = BAR + 10 + LEGEND_ROW * max(1, -(-len(shown) // 2))
    description = "; ".join(f"{label}: {count}" for label, count, _ in shown) or empty_text
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(ident)}-t {escape(ident)}-d" class="chart" id="{escape(ident)}">',
        f'<title id="{escape(ident)}-t">{escape(title)}</title>',
        f'<desc id="{escape(ident)}-d">{escape(description)}</desc>',
    ]
    if not total:
        parts.append(
            f'<rect x="0" y="0" width="{WIDTH}" height="{BAR}" fill="{EMPTY}" rx="3"/>'
            f'<text x="8" y="16" font-size="13" fill="{INK}">{escape(empty_text)}</text>'
        )
    x = 0.0
    for label, count, colour in shown:
        width = WIDTH * count / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="{BAR}" fill="{colour}">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        x += width
    for index, (label, count, colour) in enumerate(shown):
        lx, ly = (index % 2) * (WIDTH // 2), BAR + 10 + (index // 2) * LEGEND_ROW
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18}" y="{ly + 11}" font-size="13" fill="{INK}">'
            f"{escape(label)}: {count}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
