"""Browser fixtures: one dashboard server, one system Chromium, and a page on a closed network.

Every request that does not go to the app's own server is aborted and recorded in ``left_host``,
so a test can assert that nothing tried to leave. A failing test leaves a screenshot in
``test-artifacts/``.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.support.browser import LOCAL_PREFIXES, ROOT, launch_chromium, running_app

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, Playwright, Route

ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 1100}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the test item (``item.rep_call``) for the screenshot finalizer."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The dashboard, served once for the whole browser run."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium; a missing browser is a failure, never a skip."""
    try:
        chromium = launch_chromium(playwright)
    except (RuntimeError, PlaywrightError) as error:
        pytest.fail(
            f"Browser tests need the system Chromium (run scripts/install-chromium.sh): {error}",
            pytrace=False,
        )
    yield chromium
    chromium.close()


@pytest.fixture
def left_host() -> list[str]:
    """Requests that tried to leave the app's server (aborted), as ``"<resource type> <url>"``."""
    return []


@pytest.fixture
def page(browser: Browser, left_host: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page whose network ends at the app's server; screenshot saved if the test fails."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)

    def closed_network(route: Route) -> None:
        if route.request.url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            left_host.append(f"{route.request.resource_type} {route.request.url}")
            route.abort()

    context.route("**/*", closed_network)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            try:
                page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
            except PlaywrightError as error:  # a crashed page must not hide the test's own failure
                print(f"no failure screenshot: {error}", file=sys.stderr)
        context.close()


@pytest.fixture(params=[(1440, 900), (1280, 720)], ids=lambda size: f"{size[0]}x{size[1]}")
def sized_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A page at a laptop's and a desktop's size, which can take downloads."""
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
