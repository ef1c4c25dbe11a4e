"""A real SMTP server on loopback (aiosmtpd) that keeps what it received; tests never mock smtplib."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """What the server accepted, and how it should answer: `refuse[address] = "451 ..."`."""

    received: list = field(default_factory=list)
    refuse: dict = field(default_factory=dict)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.received if m["To"] == address]


class LoopbackSmtp:
    """`with LoopbackSmtp() as server:` a started server; `server.url` goes in FLIPSIDE_SMTP_URL."""

    def __init__(self, port: int | None = None):
        self.inbox, self.port = Inbox(), port or free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def stored_messages():
    """Every stored message, whatever its organisation (tests look across tenants on purpose)."""
    from plugin.db import db
    from plugin.models import OutboundMessage

    return db.session.query(OutboundMessage).execution_options(all_tenants=True)


def one(message_id: int):
    return stored_messages().filter_by(id=message_id).one()
