"""A canary on 127.0.0.1 that records every TCP connection, HTTP or not.

Queries that must never reach out point at it; a connection of any kind (a SERVICE
call, a LOAD, a fetch of a FROM graph) is recorded before anything is read. It
answers HTTP requests with 500 so that a federated query fails fast.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class ConnectionCanary:
    """A listening socket on a free loopback port; ``connections`` counts who connected."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                conn.settimeout(0.5)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                conn.sendall(b"HTTP/1.1 500 canary\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            finally:
                conn.close()

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()

    def __enter__(self) -> ConnectionCanary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
