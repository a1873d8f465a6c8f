"""A fault-injecting HTTP proxy for tests: real requests to a real store, with chosen ones going wrong.

The proxy listens on 127.0.0.1 (a free port), forwards every request to the
upstream server (a real ``oxigraph serve``) and records what it saw. A
:class:`Fault` picks a request (the n-th that matches a predicate) and makes it
fail: an HTTP status instead of an answer, a corrupted body, a stall, a lost
answer after the store did the work, or a callback (killing the store) first.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    """A request as the proxy received it."""

    method: str
    path: str
    query: str
    params: dict[str, list[str]]
    content_type: str | None
    authorization: str | None
    body: bytes

    @property
    def text(self) -> str:
        """The body, with a form-encoded ``update=`` or ``query=`` decoded."""
        if self.content_type == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(self.body.decode())
            return "\n".join(v for key in ("update", "query") for v in form.get(key, []))
        return self.body.decode(errors="replace")


def is_chunk_post(seen: Seen) -> bool:
    """A Graph Store POST of data (Oxigraph's ``/store``, Virtuoso's ``/sparql-graph-crud[-auth]``)."""
    return seen.method == "POST" and (seen.path.endswith("/store") or "/sparql-graph-crud" in seen.path)


def is_chunk(seen: Seen) -> bool:
    """A chunk of data for a staging graph: a Graph Store POST or an ``INSERT DATA``."""
    return is_chunk_post(seen) or (seen.method == "POST" and "INSERT DATA" in seen.text)


def is_swap(seen: Seen) -> bool:
    """The request that swaps a staging graph into its target: the update, or Virtuoso's copy."""
    return seen.method == "POST" and (
        ("FILTER NOT EXISTS" in seen.text and "DELETE" in seen.text) or is_copy(seen)
    )


def is_copy(seen: Seen) -> bool:
    """Virtuoso's copy of a staging graph into a graph it lacks (SQL run by a SPARQL query)."""
    return seen.method == "POST" and "bif:exec" in seen.text and "INSERT INTO DB.DBA.RDF_QUAD" in seen.text


def is_count(seen: Seen) -> bool:
    """A ``COUNT`` query (not the copy, whose SQL counts the staging graph)."""
    if is_copy(seen):
        return False
    return "COUNT(" in seen.text or "COUNT%28" in seen.query or "COUNT(" in urllib.parse.unquote(seen.query)


@dataclass
class Fault:
    """Make the ``nth`` request matching ``when`` fail with ``action``.

    Actions: ``status`` (answer ``status`` and ``message`` without forwarding),
    ``answer`` (answer ``status`` with ``body`` as ``content_type`` without forwarding),
    ``corrupt`` (forward a broken body), ``stall`` (answer nothing until the proxy
    stops), ``drop_after`` (forward, then close the connection without answering),
    ``before`` (call ``callback`` first, e.g. to kill the store, then forward),
    ``after`` (forward, call ``callback`` once the store has answered, then pass the answer on),
    ``rewrite`` (forward the body as ``rewrite`` changes it: a store that writes something else).
    """

    when: Callable[[Seen], bool]
    action: str
    nth: int = 1
    status: int = 500
    message: str = "injected failure"
    body: bytes = b""  # for ``answer``
    content_type: str = "application/sparql-results+json"
    callback: Callable[[], None] | None = None
    rewrite: Callable[[bytes], bytes] | None = None
    matched: int = field(default=0, init=False)

    def applies(self, seen: Seen) -> bool:
        if not self.when(seen):
            return False
        self.matched += 1
        return self.matched == self.nth


class LoopbackServer:
    """A threaded HTTP server on a free 127.0.0.1 port, run while the ``with`` block lasts."""

    def _listen(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _server_header(upstream: tuple[str, int]) -> str:
    conn = http.client.HTTPConnection(*upstream, timeout=10)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
        return response.getheader("Server") or ""
    except OSError:
        return ""
    finally:
        conn.close()


class FaultProxy(LoopbackServer):
    """An HTTP proxy on 127.0.0.1 in front of ``upstream`` (context manager)."""

    def __init__(self, upstream: str, faults: list[Fault] | None = None, require_auth: str | None = None):
        parts = urllib.parse.urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.faults = faults or []
        self.require_auth = require_auth
        self.requests: list[Seen] = []
        # the upstream's Server header, passed on even on the proxy's own answers (it names the store)
        self.server_header = _server_header(self.upstream)
        self.challenge = threading.local()  # the upstream's WWW-Authenticate, per handler thread
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._listen(self._handler())

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        super().__exit__(*exc)

    def _fault_for(self, seen: Seen) -> Fault | None:
        with self._lock:
            self.requests.append(seen)
            hits = [f for f in self.faults if f.applies(seen)]  # every fault counts every request
            return hits[0] if hits else None

    def _forward(self, seen: Seen, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """Send the request upstream; its status, content type and body (its challenge kept aside)."""
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            target = seen.path + ("?" + seen.query if seen.query else "")  # as received, byte for byte
            conn.request(seen.method, target, body, headers)
            response = conn.getresponse()
            self.server_header = response.getheader("Server") or self.server_header
            self.challenge.value = response.getheader("WWW-Authenticate")
            return response.status, response.getheader("Content-Type") or "text/plain", response.read()
        except OSError as exc:
            return 502, "text/plain", f"upstream unreachable: {exc}".encode()
        finally:
            conn.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def version_string(self) -> str:  # the Server header: the upstream's
                return proxy.server_header or super().version_string()

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                upstream_challenge = getattr(proxy.challenge, "value", None)
                proxy.challenge.value = None
                if status == 401:
                    self.send_header("WWW-Authenticate", upstream_challenge or 'Basic realm="store"')
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command,
                    url.path,
                    url.query,
                    urllib.parse.parse_qs(url.query, keep_blank_values=True),
                    self.headers.get("Content-Type"),
                    self.headers.get("Authorization"),
                    body,
                )
                fault = proxy._fault_for(seen)
                if proxy.require_auth is not None and seen.authorization != proxy.require_auth:
                    self._answer(401, "text/plain", b"authentication required")
                    return
                passed = ("content-type", "accept", "authorization")
                headers = {k: v for k, v in self.headers.items() if k.lower() in passed}
                if fault is None:
                    self._answer(*proxy._forward(seen, body, headers))
                elif fault.action == "answer":
                    self._answer(fault.status, fault.content_type, fault.body)
                elif fault.action == "status":
                    self._answer(fault.status, "text/plain", fault.message.encode())
                elif fault.action == "rewrite":
                    assert fault.rewrite is not None
                    self._answer(*proxy._forward(seen, fault.rewrite(body), headers))
                elif fault.action == "corrupt":
                    self._answer(*proxy._forward(seen, b"<http://example.org/broken> <oops", headers))
                elif fault.action == "stall":
                    proxy.released.wait(30)
                    self.close_connection = True
                elif fault.action == "drop_after":
                    proxy._forward(seen, body, headers)
                    self.close_connection = True
                elif fault.action == "after":
                    answer = proxy._forward(seen, body, headers)
                    assert fault.callback is not None
                    fault.callback()
                    self._answer(*answer)
                elif fault.action == "before":
                    assert fault.callback is not None
                    fault.callback()
                    self._answer(*proxy._forward(seen, body, headers))
                else:
                    raise ValueError(f"unknown fault action {fault.action!r}")

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler


@dataclass
class Redirector(LoopbackServer):
    """A loopback server that redirects every request to ``target`` + path, recording Authorization."""

    target: str
    status: int = 307
    authorizations: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.authorizations.append(self.headers.get("Authorization"))
                self.send_response(outer.status)
                self.send_header("Location", outer.target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._listen(Handler)
