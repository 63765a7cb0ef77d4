"""Real headless Chromium (Debian's package) driven by Playwright against a live server.

Browser downloads are impossible here, so Playwright launches /usr/bin/chromium through
`executable_path`. Screenshots land in var/screenshots/ for people to look at.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# Console errors that are not faults: a 422 answer to an invalid form (htmx swaps it), and
# htmx logging a request it aborted on purpose because a newer one replaced it (hx-sync).
EXPECTED_CONSOLE = ("status of 422", "htmx:sendAbort", "htmx:afterRequest")


def _expected(text: str) -> bool:
    return any(marker in text for marker in EXPECTED_CONSOLE)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    settings.KONNECT_BASE_URL = f"{live_server.url}/sandbox/"
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and not _expected(msg.text) else None
        ),
    )
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.console_errors = errors
    yield pg
    context.close()


@pytest.fixture
def login(page: Any) -> Callable[[str], Any]:
    def do(username: str, password: str = PASSWORD) -> Any:
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(pg: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret injects an inline style, which our CSP rightly blocks
        pg.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return shot


@pytest.fixture
def background_sweeper(transactional_db: Any) -> Iterator[None]:
    """Plays Celery beat for the live server: runs the job sweeper every 0.3 s."""
    from django.db import connection

    from konnect_admin.jobs.services import jobs_sweep

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.3):
            try:
                jobs_sweep()
            except Exception:  # a failing sweep must not kill the loop; the test will notice
                logging.getLogger(__name__).exception("background sweep failed")
        connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=5)
