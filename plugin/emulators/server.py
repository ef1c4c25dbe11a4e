"""Run a WSGI app (an emulator) on 127.0.0.1 on a free port in a background thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: a 100k-employee run would drown the test output."""

    def log_request(self, code="-", size="-"):
        return None


class LoopbackServer:
    """A threaded werkzeug server on loopback; `start()`, `stop()`, `base_url`, or use it as a context."""

    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 0):
        self.app, self.host, self.port = app, host, port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` once started."""
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> LoopbackServer:
        """Bind a free port and serve in a daemon thread."""
        if self._server is None:
            self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler)
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def json_array_chunks(rows: Iterable[dict], chunk: int = 500) -> Iterator[bytes]:
    """The inside of a JSON array, `chunk` items per piece, for streamed responses (no brackets)."""
    batch, first = [], True
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            yield (b"" if first else b",") + json.dumps(batch)[1:-1].encode()
            batch, first = [], False
    if batch:
        yield (b"" if first else b",") + json.dumps(batch)[1:-1].encode()
