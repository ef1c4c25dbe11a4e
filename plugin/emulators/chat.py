"""A Slack and Microsoft Teams incoming-webhook emulator on loopback: it keeps every post it accepted.

Slack answers a good post `200 ok` and a body that is not JSON `400 invalid_payload`; a Teams connector
answers `200 1`. Paths follow the vendors' own: `/services/<T>/<B>/<secret>` (Slack) and
`/webhookb2/<id>/IncomingWebhook/<a>/<b>` (Teams). `url(vendor, name)` gives a webhook address to register.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from .server import LoopbackServer


@dataclass(frozen=True)
class Post:
    """One accepted post: the webhook's path, which vendor's it is, and the JSON body."""

    path: str
    vendor: str
    body: dict


class ChatEmulator:
    """`with ChatEmulator() as chat:` a started server; `chat.url("slack", "hr")`, `chat.posts`."""

    def __init__(self):
        self.lock, self.posts, self._server = threading.Lock(), [], None

    def url(self, vendor: str, name: str) -> str:
        """A webhook address on this server in the vendor's own path shape."""
        if vendor == "slack":
            return f"{self._server.base_url}/services/TLOOP/B{name}/secret-{name}"
        return f"{self._server.base_url}/webhookb2/{name}@loopback/IncomingWebhook/{name}/secret"

    def to(self, url: str) -> list[Post]:
        """What was posted to this webhook address."""
        path = url.split(self._server.base_url, 1)[-1]
        with self.lock:
            return [p for p in self.posts if p.path == path]

    def __enter__(self) -> ChatEmulator:
        self._server = LoopbackServer(self).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()

    def __call__(self, environ, start_response):
        request = Request(environ)
        vendor = "slack" if request.path.startswith("/services/") else "teams"
        if request.method != "POST" or not request.path.startswith(("/services/", "/webhookb2/")):
            return Response("no_service", status=404)(environ, start_response)
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            return Response("invalid_payload", status=400)(environ, start_response)
        with self.lock:
            self.posts.append(Post(request.path, vendor, body))
        return Response("ok" if vendor == "slack" else "1")(environ, start_response)
