"""Waiting outbox rows name the jobs of the split `plugin.jobs.life` by their new modules.

`plugin.jobs.life` held completion, cadence and erasure jobs together; it is now `plugin.jobs.completion`,
`plugin.jobs.cadence` and `plugin.jobs.erasure`. Rows already sent keep the name they were sent under
(history); jobs already in Redis are resolved by `plugin.jobs.former_names`.

Revision ID: 0031
Revises: 0036
Create Date: 2026-12-07 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0036"
branch_labels = None
depends_on = None

MOVED = {
    "plugin.jobs.life:write_completion": "plugin.jobs.completion:write_completion",
    "plugin.jobs.life:issue_credentials": "plugin.jobs.completion:issue_credentials",
    "plugin.jobs.life:check_cadence": "plugin.jobs.cadence:check_cadence",
    "plugin.jobs.life:remind_pair": "plugin.jobs.cadence:remind_pair",
    "plugin.jobs.life:schedule_erasure": "plugin.jobs.erasure:schedule_erasure",
    "plugin.jobs.life:erase_leavers": "plugin.jobs.erasure:erase_leavers",
}

outbox = sa.table("outbox_message", sa.column("target", sa.String), sa.column("sent_at", sa.DateTime))


def _rename(pairs) -> None:
    for old, new in pairs:
        op.execute(outbox.update().where(outbox.c.target == old, outbox.c.sent_at.is_(None)).values(target=new))


def upgrade() -> None:
    _rename(MOVED.items())


def downgrade() -> None:
    _rename((new, old) for old, new in MOVED.items())
