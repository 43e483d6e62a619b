"""The dashboard's server: Streamlit's own, with limits and headers that do not depend on config files.

Start it with ``make run`` or ``python -m dashboard`` (``streamlit run dashboard/server.py`` works
too). Compared with ``streamlit run dashboard/app.py`` it adds:

- ``X-Content-Type-Options: nosniff`` on every response;
- a hard cap on upload bodies, whatever ``server.maxUploadSize`` says;
- ``/kz/upload/<token>/<layer>.geojson``: an uploaded record's polygons, for the session that holds
  the token only, never cached by proxies, gone when the upload is;
- ``/kz/export/<token>/<file>``: the downloads, made when asked for and streamed;
- ``/kz/day/<token>/<date>.json``: the map's days, which the browser fetches and keeps;
- a sweep of the upload store at start, and a plain message instead of any exception details.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import streamlit as st
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

import geodata
from dashboard import day_data, exports, hardening, settings
from dashboard.assets import UPLOAD_ROUTE
from dashboard.store import MAP_FILES, upload_store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_LAYERS = ("countries", "regions")
# Streamlit's upload endpoint; its body is the .zip plus a little multipart framing.
_UPLOAD_ENDPOINT = "/_stcore/upload_file"
MAX_UPLOAD_BODY = geodata.MAX_ARCHIVE_BYTES + 64 * 1024
_LOG = logging.getLogger(__name__)


# Every response, the page included: a source link opened from the page tells the outlet nothing
# of the page (its address holds the reader's date and layers). Links then need no rel attribute:
# browsers open target=_blank links without access to the opener.
_ADDED_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
_ADDED_NAMES = frozenset(name for name, _ in _ADDED_HEADERS)


class HardenedHeaders:
    """ASGI middleware: ``nosniff`` and ``no-referrer`` on every response; uploads kept to budget."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _ADDED_NAMES
                ]
                headers.extend(_ADDED_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        if _UPLOAD_ENDPOINT in scope["path"] and scope["method"] in ("PUT", "POST"):
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPLOAD_BODY):
                await _too_large(scope, receive, send_hardened)
                return
            receive = _capped(receive)

        await self.app(scope, receive, send_hardened)


def _capped(receive: Receive) -> Receive:
    """``receive`` that ends the request (as a disconnect) once its body passes the budget."""
    received = 0

    async def capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_UPLOAD_BODY:
                return {"type": "http.disconnect"}
        return message

    return capped


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    limit = geodata.MAX_ARCHIVE_BYTES // 2**20
    response = PlainTextResponse(f"An upload may be at most {limit} MB.", status_code=413)
    await response(scope, receive, send)


async def uploaded_polygons(request: Request) -> Response:
    """An uploaded record's polygons, found by the unguessable token only its session knows."""
    token, layer = request.path_params["token"], request.path_params["layer"]
    folder = upload_store().folder(token) if layer in UPLOAD_LAYERS else None
    path = folder / MAP_FILES / f"{layer}.geojson" if folder else None
    if path is None or not path.is_file():
        return PlainTextResponse("Not found", status_code=404)
    return FileResponse(
        path,
        media_type=geodata.MEDIA_TYPE,
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )


async def day_map(request: Request) -> Response:
    """One day of the map (``dashboard/day_data.py``): made once, then kept by server and browser."""
    found = day_data.requested(
        request.path_params["token"],
        request.path_params["name"],
        request.query_params.get("layers", ""),
    )
    if found is None:
        return PlainTextResponse("Not found", status_code=404)
    # Making a day takes milliseconds (seconds for the largest records): never on the event loop,
    # which carries every session's websocket.
    made = await run_in_threadpool(day_data.day_file, *found)
    headers = {
        # The URL names one unchanging file while the server runs (its token changes with the record).
        "Cache-Control": "private, max-age=86400, immutable",
        "Referrer-Policy": "no-referrer",
        "Vary": "Accept-Encoding",
    }
    if made.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(made.gzipped, media_type="application/json", headers=headers)
    return Response(made.json, media_type="application/json", headers=headers)


async def export_file(request: Request) -> Response:
    """A download the page linked to, made now and streamed (``dashboard/exports.py``)."""
    name = request.path_params["name"]
    chunks = exports.requested(request.path_params["token"], name, request.query_params)
    if chunks is None:
        return PlainTextResponse("Not found", status_code=404)
    if _EXPORTS["waiting"] >= MAX_EXPORTS_WAITING:
        return PlainTextResponse(
            "The server is making many downloads; try again in a minute.",
            status_code=503,
            headers={"Retry-After": "30"},
        )
    return StreamingResponse(
        _in_turn(chunks),
        media_type=_MEDIA_TYPES.get(name.rsplit(".", 1)[-1], geodata.MEDIA_TYPE),
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
# Downloads made at once: a large record's timeline can take a core for a while. Others wait their
# turn (without holding a thread); past MAX_EXPORTS_WAITING they are told to come back.
EXPORTS_AT_ONCE = 2
MAX_EXPORTS_WAITING = 64
_EXPORT_TURNS = asyncio.Semaphore(EXPORTS_AT_ONCE)
_EXPORTS = {"waiting": 0}


async def _in_turn(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The export's pieces, made in a worker thread once it is this download's turn."""
    _EXPORTS["waiting"] += 1
    try:
        await _EXPORT_TURNS.acquire()
    finally:
        _EXPORTS["waiting"] -= 1
    try:
        async for piece in iterate_in_threadpool(chunks):
            yield piece
    finally:
        _EXPORT_TURNS.release()


@contextlib.asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    removed = upload_store().sweep()
    if removed:
        _LOG.info("Removed %d old uploads at start", len(removed))
    hardening.mark_served()
    threading.Thread(target=_warm_up, name="kz-warm-up", daemon=True).start()
    yield


# Between two days made ahead: the thread lets go of the interpreter for the pages being drawn.
WARM_UP_PAUSE_S = 0.02


def _warm_up() -> None:
    """Before the first visitor: import the page's modules, load the record, make its days' maps.

    Also the sizes of its downloads, which the first page would otherwise wait for.

    The first page then finds the record loaded (cold start), and the first steps of every session
    find their days made (``dashboard/day_data.py``). Modules that declare Streamlit components at
    import (``streamlit_folium``, so ``dashboard.map_panel``) are left to the first page: declared
    outside a running app, a component is not served.
    """
    try:
        # A second's imports; and folium's plugins, which streamlit_folium imports (a tenth of one).
        import folium.plugins  # noqa: F401

        from dashboard import cache, controls, panels, upload  # noqa: F401

        record = cache.loaded(settings.record_dir())
        everything = tuple(geodata.LAYERS)
        # First what a plain link's first page needs: the sizes its download links state (the
        # published page's takes most of a second) and its day. Then every other day, with a
        # pause after each so that a page being drawn meanwhile is not kept waiting.
        opening = record.meta.opening_day
        exports.page_file(record)
        exports.timeline_file(record)
        for day in sorted(record.meta.days, key=lambda day: day != opening):
            day_data.day_file(record, day, everything)
            exports.day_file(record, day, everything)
            exports.story_file(record, day)
            time.sleep(WARM_UP_PAUSE_S)
        # What is loaded now stays for the server's life: the garbage collector's full passes (made
        # as objects pile up; Streamlit's own after every run is off, see .streamlit/config.toml)
        # need not look at it again. A full pass over it took 70 ms.
        gc.freeze()
    except Exception:  # the first page loads it again and says what is wrong
        _LOG.warning("Warming up failed; the first page will load the record itself", exc_info=True)


def _plain_error(error: Exception) -> bool:
    """Log an uncaught error for the operator; show the user a sentence, never its details."""
    _LOG.error("Uncaught error in the page", exc_info=error)
    st.error(
        "Something went wrong on this page. Reload it; if it happens again, tell us the date shown."
    )
    return True


app = st.App(
    "app.py",
    routes=[
        Route(UPLOAD_ROUTE + "/{token}/{layer}.geojson", uploaded_polygons, methods=["GET"]),
        Route(exports.EXPORT_ROUTE + "/{token}/{name}", export_file, methods=["GET"]),
        Route(day_data.DAY_ROUTE + "/{token}/{name}", day_map, methods=["GET"]),
    ],
    middleware=[Middleware(HardenedHeaders)],
    lifespan=_lifespan,
    on_script_error=_plain_error,
)
