"""A TCP proxy the fault suite puts in front of Redis or PostgreSQL, to make the server unreachable for a while.

    proxy = TcpProxy(("127.0.0.1", 6379)).start()     # or TcpProxy("/path/redis.sock") for a unix socket
    proxy.port                                         # point the clients here
    proxy.outage(10)                                   # every open connection is cut, new ones are refused

During an outage the listening socket is closed, so a client sees what it would see if the server's
host went away: reset connections, then "connection refused" until the proxy listens again on the same
port. The server behind it never notices anything but its clients disconnecting.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time

_CHUNK = 65536


class TcpProxy:
    """Forward loopback TCP connections to a TCP address or a unix socket, and cut them on demand."""

    def __init__(self, target: tuple[str, int] | str, *, port: int = 0):
        self.target, self.port = target, port
        self.outages: list[float] = []  # seconds each outage lasted
        self._listener: socket.socket | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def start(self) -> TcpProxy:
        """Listen (on a free port the first time, on the same port after an outage)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="proxy-accept", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every connection."""
        self._stopped.set()
        self._close_listener()
        self._cut_all()

    def outage(self, seconds: float) -> None:
        """Make the server unreachable for `seconds` (blocking), then listen again."""
        started = time.monotonic()
        self._close_listener()
        self._cut_all()
        time.sleep(seconds)
        if not self._stopped.is_set():
            self.start()
        self.outages.append(round(time.monotonic() - started, 1))

    def outage_in_background(self, seconds: float, delay: float = 0.0) -> threading.Thread:
        """`outage(seconds)` after `delay` seconds, in a thread; join it to know the server is back."""

        def later():
            time.sleep(delay)
            self.outage(seconds)

        thread = threading.Thread(target=later, name="proxy-outage", daemon=True)
        thread.start()
        return thread

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _cut_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for sock in pair:
                _close(sock)

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.target, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        upstream.connect(self.target)
        return upstream

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: an outage or stop
            try:
                upstream = self._connect_upstream()
            except OSError:
                _close(client)
                continue
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), name="proxy-pump", daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        """Copy bytes both ways until either side closes (or an outage closes both)."""
        client, upstream = pair
        peer = {client: upstream, upstream: client}
        selector = selectors.DefaultSelector()
        try:
            for sock in pair:
                selector.register(sock, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select(timeout=1.0):
                    data = key.fileobj.recv(_CHUNK)
                    if not data:
                        return
                    peer[key.fileobj].sendall(data)
        except (OSError, ValueError):
            return  # cut by an outage (a closed socket), or a peer reset
        finally:
            selector.close()
            with self._lock:
                self._pairs.discard(pair)
            for sock in pair:
                _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
