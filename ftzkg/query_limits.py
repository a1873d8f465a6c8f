"""Run a query where it can be stopped: a child process with a deadline and a memory cap.

An embedded query runs inside the ``ftzkg`` process, in Oxigraph's Rust code, which
cannot be interrupted from Python: ``SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }``
would hold gigabytes and never end. :func:`run_bounded` forks a child that runs the
work (check, query, formatting) and writes its output into a pipe. The child's
address space is capped (``RLIMIT_AS``: what it held at the fork plus the budget); the
parent reads the output with a deadline, keeps at most the budget of it, and kills
the child (SIGKILL) when either runs out. Nothing reaches standard output until the
child has finished. Errors the child raises come back as the same exception types.

The address-space cap needs Linux (``/proc``); elsewhere the deadline and the output cap
still hold. Without ``os.fork`` (Windows) the work runs in the process itself, without limits.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import selectors
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

#: Default wall-clock limit of a query, in seconds (``--timeout``).
DEFAULT_TIMEOUT_S = 60.0
#: Default memory budget of a query, in MB (``--max-memory``).
DEFAULT_MAX_MEMORY_MB = 2048


@dataclass(frozen=True)
class Limits:
    """How long a query (or other bounded work) may run and how much memory (and output) it may use."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB
    #: What the work is called in the messages: "the query", "the validation".
    work: str = "the query"

    @property
    def max_bytes(self) -> int:
        return self.max_memory_mb * 1024 * 1024


class LimitExceeded(Exception):
    """The query ran out of time or memory (exit 3); the message names the limit and its flag."""


class ChildFailed(RuntimeError):
    """An unexpected exception in the child: its type, message and traceback text."""

    def __init__(self, child_type: str, message: str, child_traceback: str):
        super().__init__(message)
        self.child_type = child_type
        self.child_traceback = child_traceback


def _vm_size() -> int:
    """The address space this process holds now, in bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _report(exc: BaseException) -> dict:
    """What the parent needs to raise the same error again."""
    import traceback

    from .querying import BackendError, QueryError, QueryRefused, QuerySyntaxError

    kinds = [
        (QueryRefused, "refused"),
        (QuerySyntaxError, "query"),
        (QueryError, "query"),
        (BackendError, "backend"),
        (MemoryError, "memory"),
        (OSError, "backend"),  # a failing SERVICE, a broken store: the run failed, not ftzkg
    ]
    kind = next((k for cls, k in kinds if isinstance(exc, cls)), "internal")
    if type(exc).__name__ == "FormatError":
        kind = "query"
    return {
        "kind": kind,
        "message": str(exc) or type(exc).__name__,
        "opt_in": getattr(exc, "opt_in", ""),
        "type": type(exc).__name__,
        "traceback": "".join(traceback.format_exception(exc)),
    }


def _child(work: Callable[[BinaryIO], None], limits: Limits, data_w: int, status_w: int, err_fd: int) -> None:
    """Run in the forked child: cap memory, run the work, report, and leave without cleanup."""
    code = 0
    try:
        os.dup2(err_fd, 2)  # Rust's "memory allocation failed" goes to the parent, not the terminal
        import faulthandler

        if faulthandler.is_enabled():  # its report of a fatal error too (it holds its own copy of stderr)
            faulthandler.enable(file=2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if os.path.exists("/proc/self/statm"):  # Linux: elsewhere only the deadline and output cap hold
            cap = _vm_size() + limits.max_bytes
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        with os.fdopen(data_w, "wb", buffering=1 << 16) as out:
            work(out)
        status = {"kind": "ok"}
    except BaseException as exc:  # everything goes back to the parent
        status = _report(exc)
        code = 1
    try:
        os.write(status_w, json.dumps(status).encode("utf-8"))
    finally:
        os._exit(code)


def _raise(status: dict, limits: Limits) -> None:
    from .querying import BackendError, QueryError, QueryRefused

    kind, message = status["kind"], status["message"]
    if kind == "refused":
        raise QueryRefused(message, status["opt_in"])
    if kind == "query":
        raise QueryError(message)
    if kind == "backend":
        failed = f"{limits.work} failed: {message}"
        raise BackendError(message if status["type"] == "BackendError" else failed)
    if kind == "memory":
        raise _memory_exceeded(limits)
    raise ChildFailed(status["type"], message, status["traceback"])


def _memory_exceeded(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"{limits.work} needed more than {limits.max_memory_mb} MB of memory, the limit; "
        "raise it with --max-memory"
    )


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@contextlib.contextmanager
def _scratch_file() -> Iterator[BinaryIO]:
    """An anonymous file for the child's standard error: in memory where Linux offers one
    (``memfd_create``, no temporary folder and no ``tempfile`` import), else a temporary file."""
    fd = -1
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):  # a kernel or sandbox without it: a temporary file
            fd = os.memfd_create("ftzkg-query-stderr")
    if fd >= 0:
        with open(fd, "w+b") as handle:
            yield handle
        return
    import tempfile

    with tempfile.TemporaryFile() as handle:
        yield handle


def run_bounded(work: Callable[[BinaryIO], None], limits: Limits) -> bytes:
    """What ``work`` writes, run in a child process within ``limits``; raises what it raises.

    :class:`LimitExceeded` when it runs longer than ``limits.timeout_s``, needs more memory
    than ``limits.max_memory_mb`` or writes more than that many MB.
    """
    if not hasattr(os, "fork"):
        buffer = io.BytesIO()
        work(buffer)
        return buffer.getvalue()
    data_r, data_w = os.pipe()
    status_r, status_w = os.pipe()
    with _scratch_file() as errors:
        pid = os.fork()
        if pid == 0:  # the child
            os.close(data_r)
            os.close(status_r)
            _child(work, limits, data_w, status_w, errors.fileno())
        os.close(data_w)
        os.close(status_w)
        try:
            data, status = _collect(pid, data_r, status_r, limits)
        except BaseException:  # Ctrl-C, or a limit: never leave the child running
            _kill(pid)
            raise
        finally:
            os.close(data_r)
            os.close(status_r)
        _, wait_status = os.waitpid(pid, 0)
        if status is not None:
            if status["kind"] != "ok":
                _raise(status, limits)
            return data
        errors.seek(0)
        stderr = errors.read(4096).decode("utf-8", "replace")
    if "memory allocation" in stderr or "MemoryError" in stderr:
        raise _memory_exceeded(limits)
    how = (
        f"signal {os.WTERMSIG(wait_status)}"
        if os.WIFSIGNALED(wait_status)
        else f"code {os.waitstatus_to_exitcode(wait_status)}"
    )
    first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    from .querying import BackendError

    raise BackendError(f"{limits.work} process ended with {how}{': ' + first[:200] if first else ''}")


def _collect(pid: int, data_r: int, status_r: int, limits: Limits) -> tuple[bytes, dict | None]:
    """Read the child's output and status until both pipes close, within the limits."""
    deadline = time.monotonic() + limits.timeout_s
    chunks: list[bytes] = []
    size = 0
    status = b""
    open_fds = {data_r, status_r}
    with selectors.DefaultSelector() as selector:
        for fd in open_fds:
            selector.register(fd, selectors.EVENT_READ)
        while open_fds:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(pid)
                raise LimitExceeded(
                    f"{limits.work} did not finish within {limits.timeout_s:g} s, the limit; "
                    "raise it with --timeout"
                )
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fd)
                    open_fds.discard(key.fd)
                elif key.fd == data_r:
                    size += len(chunk)
                    if size > limits.max_bytes:
                        _kill(pid)
                        raise LimitExceeded(
                            f"the result is larger than {limits.max_memory_mb} MB, the limit; "
                            "raise it with --max-memory"
                        )
                    chunks.append(chunk)
                else:
                    status += chunk
    return b"".join(chunks), (json.loads(status) if status else None)
