"""HTTP for talking to triple stores: credentials that stay home, clear errors, careful retries.

* Credentials (HTTP basic or bearer) are added only to requests for the origins
  (scheme, host, port) the user named, so a redirect to another host or port never
  receives them; they are never logged, and error messages are scrubbed of them.
* Every failure becomes one :class:`StoreError` line: what was asked, the HTTP
  status and the first line of the server's message, or the network problem.
* Only requests the caller marks idempotent are retried, with exponential backoff,
  and only after transient failures (connection reset, HTTP 502, 503, 504).
"""

from __future__ import annotations

import base64
import http.client
import io
import logging
import netrc
import os
import socket
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
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class StoreError(Exception):
    """A store or network failure, as one line for the user."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.transient = transient


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
    ):
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        handlers: list[urllib.request.BaseHandler] = [_SameOriginRedirects()]
        if credentials is not None:
            handlers.append(_Authorize(credentials, {origin(u) for u in allowed_urls}))
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
        method = request.get_method()
        what = f"{method} {display(request.full_url)}"
        opener = self._direct if origin(request.full_url)[1] in LOOPBACK else self._proxied
        try:
            with opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                log.debug("%s -> %s (%d bytes)", what, response.status, len(body))
                return urllib.response.addinfourl(
                    io.BytesIO(body), response.headers, response.url, response.status
                )
        except urllib.error.HTTPError as exc:
            raise StoreError(
                self.redact(f"{what}: HTTP {exc.code} {exc.reason}{_server_message(exc)}"),
                status=exc.code,
                transient=exc.code in TRANSIENT_STATUS,
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


def _server_message(exc: urllib.error.HTTPError) -> str:
    """``: <first line of the server's answer>`` (at most 300 characters), or nothing."""
    try:
        text = exc.read(4096).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return f": {line[:300]}" if line else ""
