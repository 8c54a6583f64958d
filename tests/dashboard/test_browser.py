"""End to end: the real `openwatch dashboard` server driven by headless Chromium (Playwright)."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from helpers import IN_CI

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_ready():
    missing = [what for what, ok in (("Debian chromium (/usr/bin/chromium)", Path("/usr/bin/chromium").exists()),
                                     ("the playwright package", importlib.util.find_spec("playwright") is not None))
               if not ok]
    if missing:
        message = f"{' and '.join(missing)} not installed (make browser; pip install -e '.[dev]')"
        if IN_CI:
            pytest.fail(f"{message}; the browser test is mandatory under CI=true")
        pytest.skip(message)


def test_overview_in_a_real_browser(browser_ready, filled_sqlite, tmp_path):
    from dashboard.screenshots import PAGES, capture, dashboard_server
    from dashboard.state import DEFAULT_DAYS
    from storage import queries
    from storage.db import get_engine
    from storage.queries import Filters

    with dashboard_server(env=os.environ.copy()) as base:
        # a bookmarked link opened first, in a new session: the app's own menu, not one of file names
        texts = capture(base, tmp_path, {"explorer": PAGES["explorer"], "overview": PAGES["overview"]})
    assert "Organizations & models" in texts["explorer"] and "openwashing" not in texts["explorer"]
    shot = tmp_path / "overview.png"
    assert shot.stat().st_size > 20_000 and shot.read_bytes().startswith(b"\x89PNG")
    overview = texts["overview"]
    for label in ("Overview", "Claims by stance", "Top organizations", "Open-washing signals by type", "Filters"):
        assert label in overview
    assert "Traceback" not in overview and "Error" not in overview
    with get_engine(filled_sqlite).connect() as conn:  # the explorer's URL filters reached the query
        start, last = queries.default_period(conn, DEFAULT_DAYS)
        expected = queries.totals(conn, Filters(start=start, end=last, organizations=("Meta",)))
    assert f"Export all {expected['claims']:,} filtered claims" in texts["explorer"]
