"""The what-if panel in a real browser: JupyterLab driven by Playwright in the system's Chromium (make test-browser)."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
DEADLINE_S = 600  # generous: the machine may be busy; every wait polls and returns as soon as it can

pytestmark = pytest.mark.browser


def _chromium():
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and os.access(found, os.X_OK) else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(check, what, deadline_s=DEADLINE_S):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.5)  # a poll interval, not a wait for something to finish
    raise AssertionError(f"gave up after {deadline_s} s waiting for {what}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a scratch copy of the what-if notebook (autosave never touches the committed one)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[browser]'")
    if not _chromium():
        pytest.skip("no Chromium found (apt-get install chromium); Playwright's own browser download is not used")
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks" / "whatif.ipynb", work / "whatif.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / ".config"), "JUPYTER_RUNTIME_DIR": str(work / ".runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(work / ".workspaces")}
    command = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(work / "lab.log", "w")
    server = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)

    def up():
        if server.poll() is not None:
            raise AssertionError(f"JupyterLab exited: {(work / 'lab.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        _wait_for(up, "JupyterLab to answer")
        yield f"http://127.0.0.1:{port}/lab/tree/whatif.ipynb?token={token}", work
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _revenue(page):
    cells = page.locator(".whatif-numbers .output-revenue_usd td")
    return cells.nth(1).inner_text() if cells.count() >= 2 else None


def test_price_slider_moves_the_revenue_and_no_cell_fails(lab):
    from playwright.sync_api import sync_playwright
    url, work = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(DEADLINE_S * 1000)
            page.goto(url)
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            _wait_for(lambda: _kernel_idle(page), "the kernel to start")
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).first.click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).first.click()
            before = _wait_for(lambda: _revenue(page), "the panel's numbers")
            assert before.startswith("$"), before
            _wait_for(lambda: page.get_by_text("brings", exact=False).count() > 0, "the last cell's output")

            slider = page.locator(".whatif-price_152mm_usd").first
            slider.scroll_into_view_if_needed()
            handle = slider.locator(".noUi-handle").first
            track = slider.locator(".noUi-base, .noUi-target").first.bounding_box()
            box = handle.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(track["x"] + 0.8 * track["width"], box["y"] + box["height"] / 2, steps=10)
            page.mouse.up()
            after = _wait_for(lambda: (_revenue(page) if _revenue(page) != before else None), "the revenue to change")
            assert after != before
            assert page.locator(".whatif-fixed", has_text="= $").count() > 0  # the panel says what is fixed
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
                                  ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
            assert errors.count() == 0, errors.first.inner_text()
            assert page.get_by_text("Traceback").count() == 0
            print(f"revenue moved from {before} to {after}")
        finally:
            browser.close()


def _kernel_idle(page):
    """Whether the notebook's kernel reports idle (the toolbar's kernel status or the status bar)."""
    text = page.locator("#jp-main-statusbar").inner_text() if page.locator("#jp-main-statusbar").count() else ""
    return "Idle" in text
