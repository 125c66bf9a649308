"""One Streamlit session over its WebSocket, as the browser's frontend drives it.

The handshake (streamlit's ``web/server/starlette/starlette_websocket.py`` and the
frontend's ``sendRerunBackMsg``): open ``ws://HOST:PORT/_stcore/stream`` with the
``streamlit`` subprotocol and a same-origin ``Origin``; the server makes a session and
waits. Every script run is asked for with a ``BackMsg.rerun_script`` (a
``ClientState``):

- opening an address: ``page_script_hash`` empty, ``page_name`` the path after the
  app's root (empty for the default page), ``query_string`` the address's query;
- following a navigation link: ``page_script_hash`` the page's hash (from the
  ``navigation`` message), ``page_name`` empty.

The server answers with ``new_session``, ``navigation``, the page's deltas and finally
``script_finished``; a page time here runs from sending the request to that message.
Like the browser, the session keeps the cacheable messages it was sent and lists their
hashes in each request, so the server may send a reference (``ref_hash``) instead.

Everything a run shows that a user would see as an error is counted: an exception box
(``delta.new_element.exception``), an error box (``alert`` of format ERROR), a script
that did not compile, a page not found, a page other than the one asked for or without
its title, no answer within the time allowed, and the connection closing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.RootContainer_pb2 import RootContainer

STREAM_PATH = "/_stcore/stream"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# the browser ages its message cache by script runs; the server says how many
DEFAULT_CACHE_AGE = 2
# the widgets whose options a person can pick from when the sidebar binds them to
# the address (their ``query_param_key``)
BOUND_WIDGETS = ("slider", "selectbox", "radio")


class ProtocolError(RuntimeError):
    """The server closed the connection or answered outside the protocol."""


def require_loopback(url: str) -> None:
    """Refuse any address but this machine's own: the generator is for a test server."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"--url: the load generator only connects to loopback addresses "
                         f"(127.0.0.1, localhost, ::1), not {host!r}")


@dataclass(frozen=True)
class Page:
    """One page of the app's navigation."""

    script_hash: str
    name: str  # the title in the navigation
    url_path: str  # '' for the default page


@dataclass(frozen=True)
class BoundWidget:
    """A sidebar widget bound to the address: its query parameter and its options."""

    key: str
    kind: str  # slider, selectbox or radio
    options: tuple[str, ...]
    is_range: bool  # a range slider takes two values


@dataclass
class PageRun:
    """What one script run sent back, and how long it took."""

    requested: str  # the page hash or address asked for
    query_string: str
    seconds: float = 0.0
    page: Page | None = None
    title: str = ""  # the first h1 heading in the main area
    headings: list[str] = field(default_factory=list)  # h1-h3 in the main area, in order
    elements: int = 0
    received_bytes: int = 0  # the run's messages as sent on the socket
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Cache:
    """The browser's forward-message cache: message by hash, with the run last seen."""

    max_age: int = DEFAULT_CACHE_AGE
    messages: dict[str, ForwardMsg] = field(default_factory=dict)
    last_run: dict[str, int] = field(default_factory=dict)

    def hashes(self) -> list[str]:
        return list(self.messages)

    def keep(self, msg: ForwardMsg, run: int) -> None:
        if msg.metadata.cacheable and msg.hash:
            self.messages[msg.hash] = msg
            self.last_run[msg.hash] = run

    def resolve(self, msg: ForwardMsg, run: int) -> ForwardMsg | None:
        cached = self.messages.get(msg.ref_hash)
        if cached is None:
            return None
        self.last_run[msg.ref_hash] = run
        resolved = ForwardMsg()
        resolved.CopyFrom(cached)
        resolved.metadata.CopyFrom(msg.metadata)
        return resolved

    def age(self, run: int) -> None:
        for key in [k for k, seen in self.last_run.items() if run - seen > self.max_age]:
            del self.messages[key], self.last_run[key]


class StreamlitSession:
    """One session: ``await connect()``, then ``open()`` an address or ``follow()`` a page."""

    def __init__(self, url: str, page_timeout_s: float = 60.0,
                 timezone: str = "Europe/London", locale: str = "en-GB"):
        require_loopback(url)
        self.url = url.rstrip("/")
        self.page_timeout_s = page_timeout_s
        self.timezone = timezone
        self.locale = locale
        self.pages: list[Page] = []
        self.widgets: dict[str, BoundWidget] = {}
        self._socket = None
        self._cache = _Cache()
        self._runs = 0

    async def connect(self, timeout_s: float = 30.0) -> None:
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self._socket = await websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path}{STREAM_PATH}",
            subprotocols=["streamlit"], origin=f"{parts.scheme}://{parts.netloc}",
            max_size=None, open_timeout=timeout_s)

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def __aenter__(self):
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self, url_path: str = "", query_string: str = "") -> PageRun:
        """Open the app at an address, as typing it or a first visit does."""
        return await self._run(PageRun(requested=url_path or "/", query_string=query_string),
                               page_script_hash="", page_name=url_path)

    async def follow(self, page: Page, query_string: str = "") -> PageRun:
        """Follow the navigation's link to ``page``, as a click in the sidebar does."""
        return await self._run(PageRun(requested=page.script_hash, query_string=query_string),
                               page_script_hash=page.script_hash, page_name="")

    async def _run(self, run: PageRun, page_script_hash: str, page_name: str) -> PageRun:
        if self._socket is None:
            raise ProtocolError("the session is not connected")
        self._runs += 1
        self._cache.age(self._runs)
        self.widgets = {}  # what this run's sidebar binds
        request = BackMsg()
        state = request.rerun_script
        state.query_string = run.query_string
        state.page_script_hash = page_script_hash
        state.page_name = page_name
        state.cached_message_hashes.extend(self._cache.hashes())
        state.context_info.timezone = self.timezone
        state.context_info.locale = self.locale
        query = f"?{run.query_string}" if run.query_string else ""
        state.context_info.url = f"{self.url}/{page_name}{query}"
        started = time.perf_counter()
        try:
            await self._socket.send(request.SerializeToString())
            await asyncio.wait_for(self._read_until_finished(run), self.page_timeout_s)
        except TimeoutError:
            run.errors.append("timeout")
        except websockets.ConnectionClosed:
            run.errors.append("disconnected")
            self._socket = None
        run.seconds = time.perf_counter() - started
        if run.page is None and not run.errors:
            run.errors.append("no_navigation")
        elif run.page is not None and page_script_hash and run.page.script_hash != page_script_hash:
            run.errors.append("wrong_page")
        if run.page is not None and run.title != run.page.name:
            run.errors.append("title_mismatch")
        return run

    async def _read_until_finished(self, run: PageRun) -> None:
        current_hash = ""
        while True:
            frame = await self._socket.recv()
            run.received_bytes += len(frame)
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            if msg.WhichOneof("type") == "ref_hash":
                resolved = self._cache.resolve(msg, self._runs)
                if resolved is None:
                    run.errors.append("missing_cached_message")
                    continue
                msg = resolved
            else:
                self._cache.keep(msg, self._runs)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                current_hash = msg.new_session.page_script_hash
                if msg.new_session.HasField("config"):
                    self._cache.max_age = (msg.new_session.config.max_cached_message_age
                                           or DEFAULT_CACHE_AGE)
            elif kind == "navigation":
                self._read_navigation(msg, run, current_hash)
            elif kind == "delta":
                self._read_delta(msg, run)
            elif kind == "page_not_found":
                run.errors.append("page_not_found")
            elif kind == "session_event":
                if msg.session_event.HasField("script_compilation_exception"):
                    run.errors.append("compile_error")
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    if "compile_error" not in run.errors:
                        run.errors.append("compile_error")
                    return
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return
                # FINISHED_EARLY_FOR_RERUN: the app asked for another run; keep reading

    def _read_navigation(self, msg: ForwardMsg, run: PageRun, current_hash: str) -> None:
        nav = msg.navigation
        self.pages = [Page(p.page_script_hash, p.page_name, p.url_pathname)
                      for p in nav.app_pages]
        shown = nav.page_script_hash or current_hash
        run.page = next((p for p in self.pages if p.script_hash == shown), None)

    def _read_delta(self, msg: ForwardMsg, run: PageRun) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        path = list(msg.metadata.delta_path)
        in_main = bool(path) and path[0] == RootContainer.MAIN
        run.elements += 1
        if kind == "exception":
            run.errors.append("exception_warning" if element.exception.is_warning
                              else "exception")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            run.errors.append("error_box")
        elif kind == "heading" and in_main and element.heading.tag in ("h1", "h2", "h3"):
            text = element.heading.body.strip()
            run.headings.append(text)
            if element.heading.tag == "h1" and not run.title:
                run.title = text
        elif kind in BOUND_WIDGETS and path and path[0] == RootContainer.SIDEBAR:
            widget = getattr(element, kind)
            if widget.query_param_key and len(widget.options) > 1:
                is_range = kind == "slider" and len(widget.default) == 2
                self.widgets[widget.query_param_key] = BoundWidget(
                    widget.query_param_key, kind, tuple(widget.options), is_range)
