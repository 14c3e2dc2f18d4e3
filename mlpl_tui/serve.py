"""`mlpl-tui serve`: a read-only live web view of the HTML report's pages (standard library only).

GET and HEAD only; the Host header is checked (no DNS rebinding); any bind but loopback needs
the token printed at start; a strict Content-Security-Policy; pages re-rendered only when the
state file's stamp (or the ref's commit) changes, and answered 304 to a matching ETag.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mlpl_tui import site
from mlpl_tui.errors import MlplError, UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.report_since import commit_at

COOKIE = "mlpl_token"
ALLOW = "GET, HEAD"
CSP = (
    "default-src 'none'; style-src 'self'{styles}; script-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSETS = {
    "/style.css": ("text/css; charset=utf-8", site.STYLE.encode("utf-8")),
    "/live.js": ("text/javascript; charset=utf-8", site.LIVE_JS.encode("utf-8")),
}
_STATE_TRIES = 3


def _tag(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Rendered:
    """The pages for one state: their bytes, CSP and the state's ETag."""

    etag: str
    pages: dict[str, tuple[bytes, str]]  # path → (body, Content-Security-Policy)


def this_hour() -> str:
    """The clock's time to the hour, as stored: the web view's today, so an open page is
    re-rendered (and reloads) once an hour rather than on every request."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:00:00Z")


class Source:
    """Where the state comes from: the work tree's file, or the file at a git ref.

    The state's key, and so its ETag, is the file's stamp (or the ref's commit), the hour, and
    the stamps of the files the artifact states were read from: an edit to an attached file or
    a commit shows as a change."""

    def __init__(
        self,
        path: Path,
        framework: Framework,
        ref: str | None = None,
        clock: Callable[[], str] = this_hour,
        ref_check_seconds: float = 1.0,
    ) -> None:
        self.path, self.framework, self.ref, self.clock = path, framework, ref, clock
        self.ref_check_seconds = ref_check_seconds
        self._commit_seen: tuple[float, str] | None = None
        self._lock = threading.Lock()
        self._cached: Rendered | None = None
        self._cached_key: str | None = None
        self._watched: tuple[Path, ...] = ()

    def key(self) -> str:
        """A cheap fingerprint of what the pages show: stamps and the hour, no parsing."""
        return repr((self._state_stamp(), self.clock(), _stamps(self._watched)))

    def _state_stamp(self) -> object:
        """The state file's stamp, or the ref's commit."""
        if self.ref is not None:
            return self._commit()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise UsageError(f"{self.path}: no such state file") from None
        return st.st_size, st.st_mtime_ns, st.st_ino

    def _commit(self) -> str:
        """The ref's commit, asked of git at most once a second (a process costs ~3 ms, and
        every poll of every open page asks)."""
        assert self.ref is not None
        now = time.monotonic()
        if self._commit_seen is None or now - self._commit_seen[0] >= self.ref_check_seconds:
            self._commit_seen = now, commit_at(self.path.absolute().parent, self.ref)
        return self._commit_seen[1]

    def etag(self) -> str:
        return _tag(self.key())

    def rendered(self) -> Rendered:
        """The pages for the current state, rendered once per key. The key is made of the
        stamps taken around the reading, so a change made meanwhile shows as a new key."""
        key = self.key()
        with self._lock:
            if self._cached is not None and self._cached_key == key:
                return self._cached
            hour = self.clock()
            for _ in range(_STATE_TRIES):
                stamp = self._state_stamp()
                project, states, watched = self._load(stamp)
                if self._state_stamp() == stamp:
                    break  # else the state file was written while it was read: read it again
            key = repr((stamp, hour, watched))
            etag = _tag(key)
            pages = site.build_pages(project, self.framework, states, live=etag, now=hour)
            out: dict[str, tuple[bytes, str]] = {}
            for page in pages.values():
                csp = CSP.format(
                    styles=" 'unsafe-hashes' " + " ".join(page.style_hashes)
                    if page.style_hashes
                    else ""
                )
                body = page.html.encode("utf-8")
                out["/" + page.file] = (body, csp)
                if page.name == "index":
                    out["/"] = (body, csp)
            self._cached, self._cached_key = Rendered(etag, out), key
            return self._cached

    def _load(self, stamp: object) -> tuple[Project, Any, tuple[object, ...]]:
        """The project, its artifacts' states and the stamps of the files they were read from
        (the same before and after reading them)."""
        if self.ref is not None:
            from mlpl_tui.report_since import old_state

            # The records as committed at the key's commit; files on disk belong to the work
            # tree, not the ref.
            return old_state(self.path, str(stamp)).project, None, ()
        from mlpl_tui.artifact_files import artifact_states, watched_files
        from mlpl_tui.store import Store

        root = self.path.absolute().parent
        project = Store(self.path).load()
        watched = tuple(watched_files(project, self.framework, root))
        for _ in range(_STATE_TRIES):
            before = _stamps(watched)
            states = artifact_states(project, self.framework, root)
            if _stamps(watched) == before:
                break  # else an attached file changed while it was read: read them again
        self._watched = watched
        return project, states, before


def _stamps(paths: tuple[Path, ...]) -> tuple[object, ...]:
    return tuple(_stamp(p) for p in paths)


def _stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and change time, not following a link; None when absent."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _split_host(value: str) -> tuple[str, str]:
    """`host:port`, `[v6]:port` or a bare host → (host, port or '')."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, ""
        rest = value[end + 1 :]
        return value[1:end], rest[1:] if rest.startswith(":") else ""
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, port
    return value, ""


class Config:
    """What the handler checks: the bind address and port, and the token (None on loopback)."""

    def __init__(self, source: Source, host: str, port: int, token: str | None) -> None:
        self.source, self.host, self.port, self.token = source, host, port, token

    def host_allowed(self, header: str | None) -> bool:
        if not header:
            return False
        host, port = _split_host(header)
        if port != str(self.port) and not (port == "" and self.port == 80):
            return False
        if is_loopback(self.host):
            return host in {"localhost", "127.0.0.1", "::1", self.host.lower()}
        if _is_wildcard(self.host):
            # Any address of this machine, by number or by its own name; never another name
            # (a rebinding attacker's name would resolve here).
            try:
                ipaddress.ip_address(host)
                return True
            except ValueError:
                return host in {socket.gethostname().lower(), socket.getfqdn().lower()}
        return host == self.host.lower()


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the pages; everything else refused."""

    server_version = "mlpl-tui"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on a kept-alive connection
    # the body waits for the client's delayed ACK, about 40 ms per page.
    disable_nagle_algorithm = True
    config: Config  # set on a subclass per server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: one line per request would drown the URL printed at start

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Any method but GET and HEAD (POST, PUT, DELETE, PATCH, OPTIONS, ...): 405.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _not_allowed(self) -> None:
        if self._host_ok():
            self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "read-only: GET and HEAD only", True)

    def _host_ok(self) -> bool:
        if self.config.host_allowed(self.headers.get("Host")):
            return True
        self._plain(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host", self.command != "HEAD")
        return False

    def _security_headers(self, csp: str | None = None) -> None:
        self.send_header("Content-Security-Policy", csp or CSP.format(styles=""))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-cache")

    def _plain(self, status: HTTPStatus, text: str, body: bool) -> None:
        data = (text + "\n").encode("utf-8")
        self.send_response(status)
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", ALLOW)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self._security_headers()
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _token_state(self, query: str) -> str:
        """'ok', 'query' (a right ?token=: set the cookie) or 'no'."""
        token = self.config.token
        if token is None:
            return "ok"
        given = parse_qs(query).get("token", [])
        if given and hmac.compare_digest(given[0].encode(), token.encode()):
            return "query"
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie", ""))
        except CookieError:
            return "no"
        morsel = cookie.get(COOKIE)
        if morsel is not None and hmac.compare_digest(morsel.value.encode(), token.encode()):
            return "ok"
        return "no"

    def _answer(self, body: bool) -> None:
        if not self._host_ok():
            return
        parts = urlsplit(self.path)
        path = parts.path
        access = self._token_state(parts.query)
        if access == "no":
            self._plain(
                HTTPStatus.FORBIDDEN, "this view needs its token: open the URL printed", body
            )
            return
        if access == "query":
            # Once: the token becomes a cookie and leaves the address bar (and the history).
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", path if path.startswith("/") else "/")
            self.send_header(
                "Set-Cookie", f"{COOKIE}={self.config.token}; HttpOnly; SameSite=Strict; Path=/"
            )
            self.send_header("Content-Length", "0")
            self._security_headers()
            self.end_headers()
            return
        source = self.config.source
        try:
            if path in ASSETS:
                kind, data = ASSETS[path]
                self._send(data, kind, _tag(data), None, body)
            elif path == "/state.etag":
                etag = source.etag()
                self._send(etag.encode("ascii"), "text/plain; charset=utf-8", etag, None, body)
            else:
                etag = source.etag()
                if self._not_modified(etag) and path in _known_paths(source):
                    self._send(b"", "", etag, None, body, status=HTTPStatus.NOT_MODIFIED)
                    return
                rendered = source.rendered()
                page = rendered.pages.get(path)
                if page is None:
                    self._plain(HTTPStatus.NOT_FOUND, "no such page", body)
                    return
                data, csp = page
                self._send(data, "text/html; charset=utf-8", rendered.etag, csp, body)
        except (MlplError, ValueError) as exc:
            self._plain(HTTPStatus.SERVICE_UNAVAILABLE, f"cannot read the state: {exc}", body)

    def _not_modified(self, etag: str) -> bool:
        given = self.headers.get("If-None-Match", "")
        return any(t.strip().removeprefix("W/") == f'"{etag}"' for t in given.split(","))

    def _send(
        self,
        data: bytes,
        kind: str,
        etag: str,
        csp: str | None,
        body: bool,
        status: HTTPStatus = HTTPStatus.OK,
    ) -> None:
        if status == HTTPStatus.OK and self._not_modified(etag):
            status, data = HTTPStatus.NOT_MODIFIED, b""
        self.send_response(status)
        self.send_header("ETag", f'"{etag}"')
        if status == HTTPStatus.OK:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
        self._security_headers(csp)
        self.end_headers()
        if body and status == HTTPStatus.OK:
            self.wfile.write(data)


def _known_paths(source: Source) -> set[str]:
    """The pages' paths as last rendered (a 304 only for a path that is a page)."""
    cached = source._cached
    return set(cached.pages) if cached is not None else set()


class Server(ThreadingHTTPServer):
    daemon_threads = True


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(source: Source, host: str = "127.0.0.1", port: int = 0) -> tuple[Server, Config]:
    """A bound server (port 0 picks a free one) and its config; the token is made here when the
    bind is not loopback. A busy port or a bad address is a one-line UsageError."""
    if host == "localhost":
        host = "127.0.0.1"
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    server_class = Server6 if ":" in host else Server
    config = Config(source, host, port, token)
    handler = type("BoundHandler", (Handler,), {"config": config})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"{host}:{port}: address already in use: try --port {port + 1}"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    config.port = server.server_address[1]
    return server, config


def url(config: Config) -> str:
    host = f"[{config.host}]" if ":" in config.host else config.host
    if _is_wildcard(config.host):
        host = socket.gethostname()
    query = f"?token={config.token}" if config.token else ""
    return f"http://{host}:{config.port}/{query}"
