"""JupyterLab in Chromium, driven by Playwright, on a temporary copy of the course.

The browser is the system's Chromium (Debian's ``chromium``), never one that Playwright
downloads. Without it these tests are skipped with a message that says how to get one;
under ``CI=true`` they are required (``.ci/run`` installs Chromium when it is missing).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [  # headless, and no calls to the outside world (this machine has none)
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path():
    """The system's Chromium: $CHROMIUM, or chromium / chromium-browser on the PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        message = ("no Chromium found: the browser tests need the system's Chromium "
                   "(Debian/Ubuntu: sudo apt-get install chromium; or set CHROMIUM=/path)")
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — required under CI=true")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A copy of the course (notebooks, figures, README), so nothing tracked is touched."""
    copy = tmp_path_factory.mktemp("course")
    for name in ("notebooks", "figures"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy(ROOT / "README.md", copy / "README.md")
    return copy


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(course, tmp_path_factory, chromium):
    """A JupyterLab server on the copy, on localhost, with no token; yields its base URL."""
    port = _free_port()
    state = tmp_path_factory.mktemp("lab-state")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
           "COURSE_FIGURES": str(state / "figures")}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
           f"--ServerApp.root_dir={course}", f"--LabApp.workspaces_dir={state / 'ws'}",
           f"--LabApp.user_settings_dir={state / 'settings'}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(state / "server.log", "w")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/status", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                log.close()
                pytest.fail("JupyterLab did not start:\n" + (state / "server.log").read_text())
            time.sleep(0.5)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
