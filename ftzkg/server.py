"""Start and stop an Oxigraph SPARQL 1.1 server (``oxigraph serve``) on the loopback interface.

Used by ``ftzkg serve``, by the test fixtures and by the benchmarks, so that
all of them talk to the same real server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def oxigraph_executable() -> str:
    """The ``oxigraph`` command installed beside this Python (the ``oxigraph`` package)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise FileNotFoundError("the oxigraph command is not installed: pip install oxigraph")
    return found


class OxigraphServer:
    """An ``oxigraph serve`` (or ``serve-read-only``) process on 127.0.0.1.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with OxigraphServer(location) as server:
            print(server.query_url)
    """

    def __init__(
        self,
        location: Path,
        port: int | None = None,
        read_only: bool = False,
        union_default_graph: bool = True,
        timeout_s: int | None = None,
    ):
        self.location = Path(location)
        self.port = port or free_port()
        self.read_only = read_only
        self.union_default_graph = union_default_graph
        self.timeout_s = timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base URL (its query page)."""
        return f"http://{HOST}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 query endpoint."""
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        """The SPARQL 1.1 update endpoint."""
        return self.url + "/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return self.url + "/store"

    def command(self) -> list[str]:
        """The command line that starts the server."""
        cmd = [
            oxigraph_executable(),
            "serve-read-only" if self.read_only else "serve",
            "--location",
            str(self.location),
            "--bind",
            f"{HOST}:{self.port}",
        ]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        if self.timeout_s is not None:
            cmd += ["--timeout-s", str(self.timeout_s)]
        return cmd

    def start(self, wait_s: float = 30.0) -> OxigraphServer:
        """Start the process and wait until its query endpoint answers."""
        self.location.mkdir(parents=True, exist_ok=True)
        # stderr goes to a file, not a pipe: a long-running server must never block on a full pipe
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
        # its own session: a Ctrl-C in the terminal reaches us, and we stop the server in order
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=self._stderr, start_new_session=True
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"oxigraph exited with code {code}: {self.stderr_text()}")
            if self.is_ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"oxigraph did not answer on {self.url} within {wait_s} s")

    def stderr_text(self) -> str:
        """What the server wrote to standard error so far (last 2000 characters)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace").strip()[-2000:]

    def is_ready(self) -> bool:
        """True when the query endpoint answers an ASK query."""
        request = urllib.request.Request(
            self.query_url + "?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self) -> None:
        """Stop the process (terminate, then kill after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash would; for fault tests."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServeError(Exception):
    """The release cannot be served (the reason is the message)."""


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as oxigraph binds: a port whose last connections linger in TIME_WAIT is free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def load_into_location(nquads: Path, location: Path) -> None:
    """Bulk-load an N-Quads file into an Oxigraph store directory (``oxigraph load``, atomic)."""
    cmd = [oxigraph_executable(), "load", "--location", str(location), "--file", str(nquads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ServeError(f"oxigraph load failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def serve_release(
    nquads: Path, location: Path, port: int | None = 7878, writable: bool = False
) -> tuple[OxigraphServer, bool]:
    """Start a server over ``location``, loading the release's N-Quads first when the store is new.

    Returns the running server and whether the release was loaded (False: an
    existing store directory was reused as it is). ``port`` 0 or None picks a free port.
    """
    location = Path(location)
    if port and not port_is_free(port):
        raise ServeError(f"port {port} on {HOST} is in use: choose another with --port (0 picks a free one)")
    fresh = not location.exists() or not any(location.iterdir())
    if fresh:
        location.mkdir(parents=True, exist_ok=True)
        load_into_location(nquads, location)
    server = OxigraphServer(location, port=port or None, read_only=not writable)
    try:
        server.start()
    except (RuntimeError, TimeoutError) as exc:
        raise ServeError(str(exc)) from None
    return server, fresh
