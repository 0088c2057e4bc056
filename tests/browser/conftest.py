"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against `live_server`.

One Chromium per session; each test opens its own contexts (a customer admin, partner staff…),
saves a full-page screenshot per step under artifacts/screenshots/<test>/ and, when it fails,
a Playwright trace per context under artifacts/traces/.
"""

import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Plan
from tests.factories import PartnerFactory, UserFactory, WorksGroupFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Containers often give /dev/shm 64 MB, too little for full-page screenshots.
    "--disable-dev-shm-usage",
]
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM}; the browser tests need Debian's Chromium and CJK fonts: "
    "apt-get install -y chromium fonts-noto-cjk"
)
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Skip, with the way to fix it, when there is no browser to drive."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=INSTALL_HINT)
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (`rep_call`) so fixtures can tell a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


# -- the browser and the server ---------------------------------------------------------


@contextmanager
def _async_unsafe_allowed():
    """Playwright's sync API runs an event loop in the main thread while it is open; the ORM
    calls the browser tests make are still plain synchronous calls, so Django's async-safety
    check stands down for exactly that long."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, closed (with its event loop) when they are done."""
    if not CHROMIUM.exists():
        pytest.skip(INSTALL_HINT)
    sync_api = pytest.importorskip("playwright.sync_api")
    with _async_unsafe_allowed(), sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def _server_lock(live_server):
    """One request at a time.

    With SQLite the test database lives in memory and the live server's threads share the
    test's single connection; two requests at once (a page polling while another posts)
    would interleave their transactions on it. The lock serialises requests, and
    `quiet_db` lets a test change data while a page is open.
    """
    lock = threading.RLock()
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def serialised(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(serialised)
    return lock


@pytest.fixture
def server(live_server, _server_lock, transactional_db):
    """The live server's base URL, with a database the server and the test both see."""
    return live_server.url


@pytest.fixture
def quiet_db(_server_lock):
    """`with quiet_db():` — ORM writes while a page may be polling the server."""

    @contextmanager
    def hold():
        with _server_lock:
            yield

    return hold


# -- contexts, screenshots, traces -------------------------------------------------------


@pytest.fixture
def artifacts_name(request) -> str:
    return _slug(request.node.name)


@pytest.fixture
def new_page(browser, server, request, artifacts_name):
    """`new_page("customer")` → a page in a fresh context (own cookies), traced.

    Uncaught JavaScript errors and CSP violations fail the test.
    """
    opened = []
    problems: list[str] = []

    def open_page(name: str = "main", *, viewport=None, **options):
        context = browser.new_context(
            base_url=server,
            viewport=viewport or DESKTOP,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.tracing.start(title=f"{artifacts_name} {name}", screenshots=True, snapshots=True)
        if options.get("java_script_enabled", True):
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{name}: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{name}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        opened.append((name, context))
        return page

    yield open_page

    report = getattr(request.node, "rep_call", None)
    failed = report is None or report.failed
    for name, context in opened:
        if failed:
            traces = ARTIFACTS / "traces"
            traces.mkdir(parents=True, exist_ok=True)
            context.tracing.stop(path=traces / f"{artifacts_name}-{_slug(name)}.zip")
        else:
            context.tracing.stop()
        context.close()
    if problems and not failed:
        pytest.fail("errors in the browser:\n" + "\n".join(problems))


class Screens:
    """Numbered full-page screenshots: artifacts/screenshots/<test>/NN-<step>.png."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def shot(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{_slug(step)}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        return path


@pytest.fixture
def screens(artifacts_name) -> Screens:
    return Screens(ARTIFACTS / "screenshots" / artifacts_name)


# -- axe-core ---------------------------------------------------------------------------


class Axe:
    """`axe(page)` → axe-core's serious and critical violations, as lines of text.

    The whole result of the last run (every impact) stays in `last_result`.
    """

    def __init__(self):
        self.last_result: dict = {}

    def __call__(self, page) -> list[str]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        self.last_result = {
            "url": results["url"],
            "violations": [
                {
                    "id": violation["id"],
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "targets": [node["target"] for node in violation["nodes"]],
                }
                for violation in results["violations"]
            ],
        }
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(str(target) for target in violation["targets"][:5])
            for violation in self.last_result["violations"]
            if violation["impact"] in ("serious", "critical")
        ]


@pytest.fixture
def axe() -> Axe:
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS}): run `npm ci` in {settings.BASE_DIR}")
    return Axe()


# -- the cast (the seed's 水谷建設 and ABC 株式会社, plus a second partner) ------------------


@pytest.fixture
def customer(server):
    """水谷建設's super admin; complete 会社情報, STANDARD plan with 25 seats."""
    group = WorksGroupFactory(
        domain="mizl",
        plan=Plan.STANDARD,
        seats=25,
        apps=["talk", "calendar", "drive", "mail"],
        billing_anchor=date(2023, 1, 1),
        company_info__group_name="水谷",
        company_info__company_name="水谷建設",
    )
    return UserFactory(works_group=group, email="admin@mizl.example", name="水谷 太郎")


@pytest.fixture
def abc_staff(server):
    partner = PartnerFactory(
        name="ABC 株式会社",
        region="東京・関東",
        description="LINE WORKSの導入から運用までを支援する販売パートナーです。",
        handled_apps=["talk", "calendar", "drive"],
    )
    return UserFactory(staff=True, partner=partner, email="staff@abc.example", name="阿部 次郎")


@pytest.fixture
def xyz_staff(server):
    partner = PartnerFactory(name="XYZ 株式会社", region="大阪・関西")
    return UserFactory(staff=True, partner=partner, email="staff@xyz.example", name="矢野 三郎")
