"""The demo's programme-life step: a pair through sessions, reflections, completion (real worker), recognition."""

import pytest
from rich.console import Console

from plugin.demo.life import run_programme_life
from tests.factories import make_person

pytestmark = pytest.mark.slow


def test_the_demo_takes_a_pair_from_first_session_to_recognition(settings, make_org):
    tenant = make_org()
    make_person(tenant, 1, country="JP", timezone="Asia/Tokyo", job_level=8)
    make_person(tenant, 2, country="BR", timezone="America/Sao_Paulo", job_level=2)
    tenant.session.commit()
    console = Console(record=True, width=200)
    result = run_programme_life(settings, tenant.organisation_id, console)
    output = console.export_text()
    assert result["training_records"] == 2 and result["credentials"] == 2
    assert "知識交換パートナーシップ：エグゼクティブパートナー" in output  # the Japanese executive's, in Japanese
    assert "Círculo de insights: líder de insights" in output  # the Brazilian mentor's, in Portuguese
    assert output.count("yes") >= 2
