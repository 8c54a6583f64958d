"""Screenshots of every dashboard page, taken from the real server in headless Chromium.

    .venv/bin/python -m dashboard.screenshots docs/screenshots   # on the database of OPENWATCH_DATABASE_URL

Used by the browser test (overview only) and to refresh the README's pictures. Playwright drives
Debian's chromium (/usr/bin/chromium): Playwright cannot download its own browser here.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from openwatch.net import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = {  # screenshot name -> URL path and query string
    "overview": "",
    "subject": "subject?kind=model&subject=Llama+3",
    "openwashing": "openwashing",
    "explorer": "explorer?organizations=Meta",
    "sources": "sources",
    "knowledge": "knowledge",
}


@contextmanager
def dashboard_server(env: dict | None = None, timeout: float = 60) -> Iterator[str]:
    """Run `openwatch dashboard` on a free port; yields its base URL; stops it afterwards."""
    port = free_port()
    exe = Path(sys.executable).with_name("openwatch")
    proc = subprocess.Popen([str(exe), "dashboard", "--port", str(port)], env=env or os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the dashboard did not start: {proc.stdout.read() if proc.poll() is not None else 'timeout'}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def capture(base: str, out_dir: Path, pages: dict[str, str] = PAGES, width: int = 1500) -> dict[str, str]:
    """Screenshot each page once it has finished running; returns each page's visible text."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1100}, locale="en-US")
        for name, path in pages.items():
            page.goto(base + path)
            page.wait_for_selector("h1", timeout=60_000)
            page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
            page.wait_for_timeout(1500)  # let Vega finish drawing the charts
            # the app scrolls inside its main section: grow the window to its full height instead
            for _ in range(2):  # tables below the fold draw when visible, which can grow the page
                height = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
                page.set_viewport_size({"width": width, "height": min(max(height + 80, 800), 4000)})
                page.wait_for_timeout(1500)
            page.screenshot(path=str(out_dir / f"{name}.png"))
            texts[name] = page.inner_text("body")
        browser.close()
    return texts


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    with dashboard_server() as url:
        capture(url, target)
    print(f"screenshots in {target}")
