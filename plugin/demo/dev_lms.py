"""The demo's LTI step: register the development LMS for the demo organisation and say where to click."""

from __future__ import annotations

from rich.console import Console

from ..config import Settings
from ..db import db
from ..lti import devplatform
from ..models import Employee


def dev_lms_step(settings: Settings, organisation_id: int, console: Console) -> str:
    """Register the dev LMS (needs an app context); returns the URL of its launch page."""
    devplatform.register(db.session, settings, organisation_id)
    if not devplatform.demo_users(db.session, organisation_id):  # the workforce step may not have run
        for level, first in ((1, "Lina"), (8, "Harriet")):
            db.session.add(
                Employee(
                    organisation_id=organisation_id,
                    source_system="demo",
                    source_id=first.lower(),
                    first_name=first,
                    last_name="Demo",
                    job_level=level,
                    work_email=f"{first.lower()}.demo@demo-corp.example",
                )
            )
        db.session.commit()
    users = devplatform.demo_users(db.session, organisation_id)
    url = devplatform.issuer(settings.base_url) + "/"
    who = ", ".join(
        f"{devplatform.PERSONAS[key].label.split(' (')[0].lower()} {e.first_name} {e.last_name}"
        for key, e in users.items()
    )
    console.print(f"[green]✓[/] development LMS registered (LTI 1.3) at [bold]{url}[/]; launch as {who}")
    return url
