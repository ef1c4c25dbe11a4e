"""Serve a WSGI app on 127.0.0.1 on a free port in a background thread, for tests, the demo and benchmarks."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server


class Loopback:
    """A started WSGI server; `url` is its origin, `stop()` shuts it down."""

    def __init__(self, app, *, threaded: bool = True):
        self._server = make_server("127.0.0.1", 0, app, threaded=threaded)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"loopback-{self.url}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
