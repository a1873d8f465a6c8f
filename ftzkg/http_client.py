"""HTTP for talking to triple stores: credentials that stay home, clear errors, careful retries.

* Credentials (HTTP Basic, Digest or bearer) are added only to requests for the
  origins (scheme, host, port) the user named, so a redirect to another host or port
  never receives them; they are never logged, and error messages are scrubbed of them.
  With ``auth="digest"`` (Virtuoso's ``-auth`` endpoints) the password never travels:
  the first request gets the store's Digest challenge, later ones answer it directly.
* ``timeout`` bounds the whole request, from connecting to the last byte of the
  answer: a server that trickles one byte a second cannot hold the command.
* Every failure becomes one :class:`StoreError` line: what was asked, the HTTP
  status and the first line of the server's message, or the network problem.
* Only requests the caller marks idempotent are retried, with exponential backoff,
  and only after transient failures (connection reset, HTTP 502, 503, 504).
"""

from __future__ import annotations

import base64
import contextlib
import email.message
import http.client
import io
import logging
import netrc
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

TRANSIENT_STATUS = frozenset({502, 503, 504})
AUTH_MODES = ("basic", "digest")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class StoreError(Exception):
    """A store or network failure, as one line for the user."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        transient: bool = False,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.transient = transient
        self.headers = headers  # of the HTTP answer, when there was one


class ConfigurationError(ValueError):
    """Unusable endpoint or credential settings (the user's input, not the store)."""


@dataclass(frozen=True)
class Credentials:
    """HTTP credentials; ``repr`` and ``str`` never show the secret."""

    scheme: str  # "Basic" or "Bearer"
    user: str | None = field(default=None)
    secret: str = field(default="", repr=False)

    def header(self) -> str:
        """The value of the ``Authorization`` header."""
        if self.scheme == "Bearer":
            return f"Bearer {self.secret}"
        pair = f"{self.user}:{self.secret}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def secrets(self) -> list[str]:
        """Strings that must never appear in output."""
        return [s for s in (self.secret, self.header().split(" ", 1)[1]) if s]


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """``FTZKG_TOKEN`` (bearer) or ``FTZKG_USER`` + ``FTZKG_PASSWORD`` (basic), if set."""
    env = os.environ if environ is None else environ
    token = env.get("FTZKG_TOKEN")
    if token:
        return Credentials("Bearer", None, token)
    user, password = env.get("FTZKG_USER"), env.get("FTZKG_PASSWORD")
    if user and password is not None:
        return Credentials("Basic", user, password)
    if user or password:
        raise ConfigurationError("set both FTZKG_USER and FTZKG_PASSWORD for basic authentication")
    return None


def credentials_from_netrc(path: Path, host: str) -> Credentials | None:
    """Basic credentials for ``host`` from a netrc file (``machine HOST login USER password PASS``)."""
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such netrc file") from None
    except netrc.NetrcParseError as exc:
        # the message may quote the file; name the place only
        raise ConfigurationError(f"{path}:{exc.lineno}: cannot parse the netrc file") from None
    if entry is None:
        return None
    login, _, password = entry
    return Credentials("Basic", login, password or "")


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL: what a credential is bound to."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def check_url(url: str, what: str) -> str:
    """An http(s) URL without credentials in it, or :class:`ConfigurationError`."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{what} must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            f"{what} must not contain credentials; use FTZKG_USER/FTZKG_PASSWORD, FTZKG_TOKEN or --netrc"
        )
    return url


def display(url: str) -> str:
    """A URL for messages: without its query string (which may be long)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class _Authorize(urllib.request.BaseHandler):
    """Adds the Authorization header to requests for the allowed origins only (redirects included)."""

    handler_order = 400

    def __init__(self, credentials: Credentials, allowed: set[tuple[str, str, int]]):
        self.credentials = credentials
        self.allowed = allowed

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if origin(req.full_url) in self.allowed:
            req.add_unredirected_header("Authorization", self.credentials.header())
        else:
            req.remove_header("Authorization")
        return req

    https_request = http_request


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """HTTP Digest for the allowed origins only; after the first challenge, answers it up front.

    Answering up front saves sending every body twice (once to get the challenge);
    a stale or new challenge is answered again by urllib's handler.
    """

    handler_order = 400

    def __init__(self, credentials: Credentials, allowed: set[tuple[str, str, int]]):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for scheme, host, port in allowed:
            passwords.add_password(None, f"{scheme}://{host}:{port}/", credentials.user, credentials.secret)
        super().__init__(passwords)
        self.allowed = allowed
        self._challenges: dict[tuple[str, str, int], dict[str, str]] = {}
        self._lock = threading.Lock()

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        where = origin(req.full_url)
        if where not in self.allowed:
            req.remove_header("Authorization")
            return req
        with self._lock:
            challenge = self._challenges.get(where)
            header = self.get_authorization(req, challenge) if challenge else None
        if header:
            req.add_unredirected_header("Authorization", f"Digest {header}")
        return req

    https_request = http_request

    def retry_http_digest_auth(self, req, auth):  # type: ignore[no-untyped-def]
        token, challenge = auth.split(" ", 1)
        if token.lower() == "digest" and origin(req.full_url) in self.allowed:
            with self._lock:
                self._challenges[origin(req.full_url)] = urllib.request.parse_keqv_list(
                    filter(None, urllib.request.parse_http_list(challenge))
                )
        return super().retry_http_digest_auth(req, auth)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects but drops any Authorization header when the origin changes."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and origin(new.full_url) != origin(req.full_url):
            new.remove_header("Authorization")
            log.debug("redirect to another origin %s: credentials not forwarded", display(new.full_url))
        return new


class HttpClient:
    """A urllib opener with bound credentials, timeouts, error mapping and retries."""

    def __init__(
        self,
        credentials: Credentials | None = None,
        allowed_urls: Iterable[str] = (),
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        auth: str = "basic",
    ):
        if auth not in AUTH_MODES:
            raise ConfigurationError(f"unknown authentication {auth!r}: use one of {', '.join(AUTH_MODES)}")
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.auth = auth
        handlers: list[urllib.request.BaseHandler] = [_SameOriginRedirects()]
        allowed = {origin(u) for u in allowed_urls}
        if credentials is not None and credentials.scheme == "Basic" and auth == "digest":
            handlers.append(_Digest(credentials, allowed))
        elif credentials is not None:
            handlers.append(_Authorize(credentials, allowed))
        self._direct = urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)
        self._proxied = urllib.request.build_opener(*handlers)  # honours http_proxy / https_proxy

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        if self.credentials is not None:
            for secret in self.credentials.secrets():
                text = text.replace(secret, "***")
        return text

    def open(self, request: urllib.request.Request, idempotent: bool) -> urllib.response.addinfourl:
        """Send ``request`` (retrying idempotent ones after transient failures); the whole response."""
        attempt = 0
        while True:
            try:
                return self._open_once(request)
            except StoreError as exc:
                if not (idempotent and exc.transient) or attempt >= self.retries:
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                log.warning("%s; retrying in %.2f s (%d/%d)", exc, delay, attempt, self.retries)
                self.sleep(delay)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        idempotent: bool = False,
    ) -> bytes:
        """Send one request; the response body, or :class:`StoreError`."""
        headers = {"User-Agent": "ftzkg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        with self.open(req, idempotent) as response:
            return response.read()

    def _open_once(self, request: urllib.request.Request) -> urllib.response.addinfourl:
        """One attempt, bounded as a whole by ``timeout`` (see :func:`within_deadline`)."""
        what = f"{request.get_method()} {display(request.full_url)}"
        try:
            return within_deadline(lambda: self._exchange(request, what), self.timeout)
        except TimeoutError:
            raise StoreError(f"{what}: no answer within {self.timeout:g} s (timeout)") from None

    def _exchange(self, request: urllib.request.Request, what: str) -> urllib.response.addinfourl:
        opener = self._direct if origin(request.full_url)[1] in LOOPBACK else self._proxied
        try:
            with opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                log.debug("%s -> %s (%d bytes)", what, response.status, len(body))
                return urllib.response.addinfourl(
                    io.BytesIO(body), response.headers, response.url, response.status
                )
        except urllib.error.HTTPError as exc:
            hint = ""
            if exc.code == 401:
                hint = " (check FTZKG_USER/FTZKG_PASSWORD, FTZKG_TOKEN or --netrc"
                hint += (
                    "; a store that wants HTTP Digest needs --auth digest)" if self.auth == "basic" else ")"
                )
            raise StoreError(
                self.redact(f"{what}: HTTP {exc.code} {exc.reason}{_server_message(exc)}{hint}"),
                status=exc.code,
                transient=exc.code in TRANSIENT_STATUS,
                headers=exc.headers,
            ) from None
        except urllib.error.URLError as exc:
            raise self._network_error(what, exc.reason) from None
        except (OSError, http.client.HTTPException) as exc:
            raise self._network_error(what, exc) from None

    def _network_error(self, what: str, reason: object) -> StoreError:
        if isinstance(reason, TimeoutError | socket.timeout):
            return StoreError(f"{what}: no answer within {self.timeout:g} s (timeout)")
        if isinstance(reason, ConnectionRefusedError):
            return StoreError(f"{what}: connection refused (is the store running?)")
        if isinstance(reason, http.client.RemoteDisconnected):
            return StoreError(f"{what}: the server closed the connection without answering", transient=True)
        if isinstance(reason, ConnectionResetError | BrokenPipeError | http.client.IncompleteRead):
            return StoreError(f"{what}: connection reset ({type(reason).__name__})", transient=True)
        return StoreError(self.redact(f"{what}: {reason}"))


def within_deadline(work: Callable[[], object], seconds: float):  # type: ignore[no-untyped-def]
    """``work()``'s result, or TimeoutError once ``seconds`` have passed, whatever the socket does.

    A socket timeout bounds each read, not the whole answer; so the work runs in a
    daemon thread that is abandoned at the deadline (its socket timeout ends it later,
    and it never keeps the process alive).
    """
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))
        done.set()

    threading.Thread(target=run, name="ftzkg-request", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError(f"no answer within {seconds:g} s")
    ok, value = outcome[0]
    if not ok:
        raise value  # type: ignore[misc]
    return value


def _server_message(exc: urllib.error.HTTPError) -> str:
    """``: <first line of the server's answer>`` (at most 300 characters), or nothing."""
    try:
        text = exc.read(4096).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return f": {printable(line[:300])}" if line else ""


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes included) shown as ``\\xNN``."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def redact_userinfo(text: str) -> str:
    """``text`` with the credentials of every URL in it (``scheme://user:secret@``) replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", text)


# ---------------------------------------------------------------- a deadline for a whole request


class Deadline:
    """A point in time after which every socket opened under it is shut down.

    A per-socket timeout bounds each read; a server sending one byte a second never
    trips it. This bounds the whole request (connect, headers, every read of the body).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()

    def handlers(self) -> list[urllib.request.BaseHandler]:
        """urllib handlers whose connections are watched by this deadline."""
        deadline = self

        class Connection(http.client.HTTPConnection):
            def connect(self) -> None:
                self.timeout = deadline.remaining()
                super().connect()
                deadline.watch(self.sock)

        class SecureConnection(http.client.HTTPSConnection):
            def connect(self) -> None:
                self.timeout = deadline.remaining()
                super().connect()
                deadline.watch(self.sock)

        class Handler(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(Connection, req)

        class SecureHandler(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(SecureConnection, req, context=self._context)  # type: ignore[attr-defined]

        return [Handler(), SecureHandler()]


def read_within(
    request: urllib.request.Request,
    seconds: float,
    max_bytes: int,
    credentials: Credentials | None = None,
) -> bytes:
    """The body of the answer to ``request`` if it all arrives within ``seconds``; else :class:`StoreError`.

    At most ``max_bytes`` are read. Credentials go to the request's own origin only.
    """
    return answer_within(request, seconds, max_bytes, credentials)[0]


def answer_within(
    request: urllib.request.Request,
    seconds: float,
    max_bytes: int,
    credentials: Credentials | None = None,
) -> tuple[bytes, email.message.Message]:
    """As :func:`read_within`: the body of the answer, and its HTTP headers."""
    what = f"{request.get_method()} {display(request.full_url)}"
    deadline = Deadline(seconds)
    handlers: list[urllib.request.BaseHandler] = [_SameOriginRedirects(), *deadline.handlers()]
    if credentials is not None:
        handlers.append(_Authorize(credentials, {origin(request.full_url)}))
    if origin(request.full_url)[1] in LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    scrub = HttpClient(credentials).redact
    late = StoreError(f"{what}: no complete answer within {seconds:g} s, the limit (--timeout)")
    try:
        with opener.open(request, timeout=deadline.remaining()) as response:
            body = _read_up_to(response, max_bytes + 1)
            headers = response.headers
    except urllib.error.HTTPError as exc:
        raise StoreError(
            scrub(f"{what}: HTTP {exc.code} {exc.reason}{_server_message(exc)}"), exc.code
        ) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if deadline.expired:
            raise late from None
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise StoreError(scrub(redact_userinfo(f"{what}: {reason}"))) from None
    finally:
        deadline.cancel()
    if deadline.expired:  # the socket was shut: what arrived may be cut short
        raise late
    if len(body) > max_bytes:
        raise StoreError(
            f"{what}: the answer is larger than {max_bytes // (1024 * 1024)} MB, the limit (--max-memory)"
        )
    return body, headers


def _read_up_to(response: http.client.HTTPResponse, limit: int) -> bytes:
    """At most ``limit`` bytes of ``response``, read in chunks (``read(limit)`` would allocate it all)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = response.read(min(1 << 16, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
