"""Server-side SVG charts: well-formed, described in words, bars and whiskers where the numbers are."""

import xml.etree.ElementTree as ET

from plugin.domain.impact import Cell
from plugin.domain.proportions import Interval
from plugin.web.charts import lift_chart, points

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted input


def cells():
    shown = Cell(
        "mentors", "retention", 12, "shown", participants=40, comparison=90, absolute=Interval(0.12, 0.02, 0.22)
    )
    negative = Cell(
        "under_30", "retention", 12, "shown", participants=30, comparison=60, absolute=Interval(-0.05, -0.15, 0.04)
    )
    return [shown, Cell("mentees", "retention", 12, "suppressed"), negative]


def test_a_chart_is_valid_svg_with_a_bar_per_shown_group_and_words_for_the_rest():
    root = parse(lift_chart(cells(), "Retention <12 months>", 5))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Retention <12 months>"
    bars = root.findall(f"{SVG}rect")
    assert [b.get("fill") for b in bars] == ["#2a7a4b", "#b3452f"]  # a gain, then a loss
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Suppressed: fewer than 5 people to compare" in texts and "+12.0 pp" in texts


def test_whiskers_span_the_interval_around_the_bar_end():
    root = parse(lift_chart(cells()[:1], "Retention", 5))
    bar = root.find(f"{SVG}rect")
    whisker = root.findall(f"{SVG}line")[1]
    bar_end = float(bar.get("x")) + float(bar.get("width"))
    assert float(whisker.get("x1")) < bar_end < float(whisker.get("x2"))


def test_the_description_reads_the_numbers_out():
    description = parse(lift_chart(cells(), "R", 5)).find(f"{SVG}desc").text
    assert "Mentors: +12.0 percentage points (95% CI +2.0 to +22.0)" in description
    assert "Executives (mentees): Suppressed" in description


def test_points_never_prints_minus_zero():
    assert points(0.2 - 0.20000000000000004) == "+0.0"
    assert points(-0.0512) == "-5.1"
