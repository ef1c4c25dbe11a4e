"""A loopback SMTP server (aiosmtpd) for the demo and the notify benchmark: connections and what each recipient got."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller


class Sink:
    """aiosmtpd handler: every accepted message's recipients, with when it arrived."""

    def __init__(self):
        self.lock, self.received, self.connections = threading.Lock(), Counter(), 0
        self.arrivals: list[float] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address] += 1
            self.arrivals.append(time.time())
        return "250 Message accepted for delivery"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


class LoopbackSmtp:
    """`with LoopbackSmtp(port) as server:` a started server on 127.0.0.1; `server.url` for FLIPSIDE_SMTP_URL."""

    def __init__(self, port: int | None = None):
        self.sink, self.port = Sink(), port or _free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
