"""The pages benchmark: every HR page and API twin answers at scale, in the shape `flipside bench` prints."""

import re

from bench.pages import pages, result_line, run, verdict


def test_a_small_pages_benchmark_times_every_page_and_reports_the_result_keys(app, settings):
    figures = run(settings, employees=600, pairs=30, repeat=2)
    world = figures["world"]
    assert world.pairs == 30 and world.proposals == 30
    measured = [t.page for t in figures["timings"]]
    assert measured == [name for name, _, _ in pages(world)]
    assert all(t.status == 200 for t in figures["timings"]), [(t.page, t.status) for t in figures["timings"]]
    assert all(t.kb > 0.5 and t.p95_ms > 0 for t in figures["timings"])
    assert figures["errors"] == 0 and figures["impact_s"] > 0
    line = result_line(figures)
    keys = re.findall(r"(\w+)=", line)
    assert line.startswith("RESULT ") and "\n" not in line
    assert {"employees", "pairs", "p95_ms", "max_kb", "impact_s"} <= set(keys)
    assert "employees=600 pairs=30 " in line
    assert "0 page(s) not 200" in verdict(figures)
