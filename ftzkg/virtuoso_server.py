"""Start and stop a private OpenLink Virtuoso 7 server on the loopback interface.

Used by the test fixtures and the benchmarks, beside :class:`ftzkg.server.OxigraphServer`:
its own database folder, its own free HTTP and SQL ports on 127.0.0.1, the DBA
password set on first start, and Virtuoso's system graphs (its RDF view
metadata, the LDP vocabulary, its service description) made private, so that
anonymous SPARQL sees only the data's graphs in its default graph, as the
README's recipe does for a real server. Needs Debian's ``virtuoso-opensource``
(``virtuoso-t`` and ``isql-vt``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from .server import HOST, free_port

DEFAULT_PASSWORD = "dba"

# Virtuoso's own graphs, hidden from anonymous readers (README: the Virtuoso recipe).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
PRIVATE_GROUP = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"


def hide_system_graphs_sql() -> str:
    """The isql script of the README's recipe: system graphs private, data graphs readable by all."""
    lines = [f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE_GROUP}', 1);"]
    lines += [f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE_GROUP}', '{g}');" for g in SYSTEM_GRAPHS]
    lines += [
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",  # private graphs: no access
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);",  # other graphs: read
    ]
    return "\n".join(lines) + "\n"


def virtuoso_executable() -> str:
    """``virtuoso-t`` (Debian's ``virtuoso-opensource``)."""
    found = shutil.which("virtuoso-t")
    if found is None:
        raise FileNotFoundError("virtuoso-t is not installed: apt-get install virtuoso-opensource")
    return found


def isql_executable() -> str:
    """Virtuoso's SQL client: ``isql-vt`` on Debian, ``isql`` elsewhere."""
    for name in ("isql-vt", "isql"):
        found = shutil.which(name)
        if found is not None:
            return found
    raise FileNotFoundError("isql-vt is not installed: apt-get install virtuoso-opensource")


def virtuoso_available() -> bool:
    """True when both ``virtuoso-t`` and its ``isql`` are installed."""
    try:
        virtuoso_executable()
        isql_executable()
    except FileNotFoundError:
        return False
    return True


INI = """\
[Database]
DatabaseFile = {loc}/virtuoso.db
ErrorLogFile = {loc}/virtuoso.log
LockFile = {loc}/virtuoso.lck
TransactionFile = {loc}/virtuoso.trx
xa_persistent_file = {loc}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {loc}/virtuoso-temp.db
TransactionFile = {loc}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = {checkpoint_interval}
CaseMode = 2
DirsAllowed = ., {loc}{dirs_allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {loc}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
; Virtuoso cuts a longer answer at this many rows without saying so (Debian ships 10000)
ResultSetMaxRows = {result_rows}
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 600
"""


class VirtuosoServer:
    """A ``virtuoso-t`` process over its own database folder, on 127.0.0.1.

    Use as a context manager, or call :meth:`start` and :meth:`stop`; :meth:`kill`
    crashes it (SIGKILL) and :meth:`start` again recovers the same database.
    """

    def __init__(
        self,
        location: Path,
        password: str = "dba-test-Pw-7",
        http_port: int | None = None,
        sql_port: int | None = None,
        buffers: int = 20_000,
        checkpoint_interval: int = 60,
        dirs_allowed: tuple[Path, ...] = (),
        prepare: bool = True,
        result_rows: int = 10_000_000,
    ):
        self.location = Path(location).resolve()
        self.password = password
        self.http_port = http_port or free_port()
        self.sql_port = sql_port or free_port()
        self.buffers = buffers
        self.checkpoint_interval = checkpoint_interval
        self.dirs_allowed = dirs_allowed
        self.prepare = prepare  # False: leave a new database as Debian's package does (password dba)
        self.result_rows = result_rows  # [SPARQL] ResultSetMaxRows: the most rows an answer may have
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{HOST}:{self.http_port}"

    @property
    def query_url(self) -> str:
        """The anonymous SPARQL endpoint (read-only)."""
        return self.url + "/sparql"

    @property
    def auth_url(self) -> str:
        """The SPARQL endpoint for authenticated users (HTTP Digest), queries and updates."""
        return self.url + "/sparql-auth"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint for authenticated users (HTTP Digest)."""
        return self.url + "/sparql-graph-crud-auth"

    @property
    def ini(self) -> Path:
        return self.location / "virtuoso.ini"

    def write_ini(self) -> None:
        """The configuration: everything inside ``location``, ports on 127.0.0.1 only."""
        extra = "".join(f", {Path(d).resolve()}" for d in self.dirs_allowed)
        self.ini.write_text(
            INI.format(
                loc=self.location,
                host=HOST,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=self.buffers,
                dirty_buffers=self.buffers * 3 // 4,
                checkpoint_interval=self.checkpoint_interval,
                dirs_allowed=extra,
                result_rows=self.result_rows,
            )
        )

    def start(self, wait_s: float = 90.0) -> VirtuosoServer:
        """Start the process; on a new database set the DBA password and hide the system graphs."""
        self.location.mkdir(parents=True, exist_ok=True)
        fresh = not (self.location / "virtuoso.db").exists()
        self.write_ini()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
        self.process = subprocess.Popen(
            [virtuoso_executable(), "-c", str(self.ini), "+foreground"],
            cwd=self.location,
            stdout=self._stderr,
            stderr=self._stderr,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso exited with code {self.process.returncode}: {self.log_tail()}")
            if self.is_ready():
                break
            time.sleep(0.1)
        else:
            self.kill()
            raise TimeoutError(f"virtuoso did not answer on {self.url} within {wait_s} s: {self.log_tail()}")
        if fresh and self.prepare:
            self.isql(f"USER_SET_PASSWORD ('dba', '{self.password}');\n", password=DEFAULT_PASSWORD)
            self.isql(hide_system_graphs_sql() + "checkpoint;\n")
        return self

    def isql(self, script: str, password: str | None = None, timeout: float = 600) -> str:
        """Run an SQL script as ``dba`` through ``isql``; its output, or RuntimeError on any error."""
        done = subprocess.run(
            [isql_executable(), f"{HOST}:{self.sql_port}", "dba", password or self.password],
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed: {out.strip()[-800:]}")
        return out

    def is_ready(self) -> bool:
        """True when the anonymous SPARQL endpoint answers an ASK query."""
        request = urllib.request.Request(
            self.query_url + "?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def log_tail(self) -> str:
        """The end of Virtuoso's log and of its console output."""
        parts = []
        log = self.location / "virtuoso.log"
        if log.exists():
            parts.append(log.read_text(errors="replace")[-1500:])
        if self._stderr is not None:
            self._stderr.seek(0)
            parts.append(self._stderr.read().decode(errors="replace")[-500:])
        return "\n".join(parts).strip()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 30 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
