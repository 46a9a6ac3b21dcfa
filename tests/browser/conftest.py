"""Serve the built site on 127.0.0.1 and drive it with headless Chromium, offline.

`tox -e browser` builds ``_build/html`` and then runs these tests. Chromium is
Debian's (``/usr/bin/chromium``, or ``CHROMIUM_PATH``); Playwright never
downloads a browser. Every request to a host other than 127.0.0.1 is aborted,
so a page that needs the network fails here.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site in {SITE}: run `tox -e browser`, which builds it first")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
    if not executable.is_file():
        pytest.fail(
            f"Chromium not found at {executable}: install Debian's package "
            "(apt-get install chromium) or set CHROMIUM_PATH"
        )
    browser = playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class Offline:
    """Requests refused because they left 127.0.0.1."""

    blocked: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")


@pytest.fixture(scope="session")
def offline() -> Offline:
    return Offline()


ContextFactory = Callable[..., BrowserContext]


@pytest.fixture(scope="session")
def new_context(browser: Browser, offline: Offline) -> Iterator[ContextFactory]:
    """Make browser contexts (any ``browser.new_context`` option) that cannot leave 127.0.0.1."""
    opened: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        context.route("**/*", offline.route)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()
