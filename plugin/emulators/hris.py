"""What every HRIS emulator shares: serving on loopback, and a roster tests can change between reads."""

from __future__ import annotations

from ..domain.employee import EmployeeRecord
from .server import LoopbackServer


class HrisEmulator:
    """Lifecycle and roster mutations; subclasses set `self.roster` and build `self.app`."""

    roster = None
    server: LoopbackServer

    def start(self):
        """Serve on a free loopback port."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    @property
    def base_url(self) -> str:
        """The origin to give the connector (`origin=`)."""
        return self.server.base_url

    def hire(self, record: EmployeeRecord) -> EmployeeRecord:
        """Add an employee."""
        return self.roster.hire(record)

    def update(self, source_id: str, **changes) -> EmployeeRecord:
        """Change an employee's fields."""
        return self.roster.update(source_id, **changes)

    def terminate(self, source_id: str, on=None) -> EmployeeRecord:
        """Terminate an employee (they stay in the vendor's data, terminated)."""
        return self.roster.terminate(source_id, on)
