"""A real OpenAI-compatible chat front end against ``/v1``: Open WebUI (from PyPI), driven in Debian's chromium.

Open WebUI is large (~3 GB with its own torch, ~7 min to install on 2 cores) and pins other versions of FastAPI,
pydantic and chromadb than this project, so it lives in a venv of its own that ``scripts/setup-openwebui.sh``
makes (``.venv-openwebui/``); without it this test is skipped. ``AWT_TEST_OPENWEBUI`` may name another
``open-webui`` executable.

Open WebUI is a big application with its own ideas about the network, so the test runs itself again inside a
new network namespace (``unshare -n``: loopback only): whatever Open WebUI might try to reach stays unreachable.
Inside, ``python -m assistant serve`` (with ``AWT_API_KEYS``) and ``open-webui serve`` (offline, no login, the
assistant as its OpenAI connection) start side by side; chromium asks a question and a follow-up in Open WebUI's
chat and must see the sources, then saves ``test-artifacts/open-webui.png``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from awt_web_support import BROWSER_ARGS, CHROMIUM, REPO
from playwright.sync_api import expect

from tests.load.loadtest import start_server, stop_server, wait_until_up
from tests.support import free_port

pytestmark = [pytest.mark.integration, pytest.mark.browser]

OPEN_WEBUI = Path(os.environ.get("AWT_TEST_OPENWEBUI") or REPO / ".venv-openwebui" / "bin" / "open-webui")
ISOLATED = "AWT_TEST_ISOLATED_NETWORK"  # set inside the namespace
KEY = "sk-awt-openwebui-0123456789"
STARTUP_SECONDS = 300  # Open WebUI's first start runs its database migrations: ~90 s on 2 busy cores
ANSWER_MS = 120_000


def _open_webui_env(data_dir: Path, assistant_url: str) -> dict[str, str]:
    """Open WebUI as an intranet team would run it in front of the assistant: offline, and with nothing that
    sends the model extra prompts (titles, tags, follow-up suggestions)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWT_", "PYTEST"))},
        "DATA_DIR": str(data_dir),
        "OFFLINE_MODE": "true",
        "HF_HUB_OFFLINE": "1",
        "WEBUI_AUTH": "False",  # a single-user test: no sign-up page
        "ENABLE_OLLAMA_API": "false",
        "OPENAI_API_BASE_URL": f"{assistant_url}/v1",
        "OPENAI_API_KEY": KEY,
        "RAG_EMBEDDING_ENGINE": "openai",  # do not load a local embedding model for document uploads
        "BYPASS_EMBEDDING_AND_RETRIEVAL": "true",
        "ENABLE_TITLE_GENERATION": "false",
        "ENABLE_TAGS_GENERATION": "false",
        "ENABLE_FOLLOW_UP_GENERATION": "false",
        "ENABLE_AUTOCOMPLETE_GENERATION": "false",
        "ENABLE_VERSION_UPDATE_CHECK": "false",
        "ENABLE_WEB_SEARCH": "false",
        "SCARF_NO_ANALYTICS": "true",
        "DO_NOT_TRACK": "true",
        "ANONYMIZED_TELEMETRY": "false",
    }


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if httpx.get(url, timeout=5, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{url} kwam niet op:\n{log.read_text(errors='replace')[-3000:]}"
        time.sleep(1)


def _run_isolated(nodeid: str, model_cache: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("needs root, unshare and ip for a network namespace of its own")
    env = {**os.environ, ISOLATED: "1", "AWT_MODEL_CACHE_DIR": str(model_cache)}
    command = f"ip link set lo up && exec {sys.executable} -m pytest -p no:cacheprovider -q -rA '{nodeid}'"
    run = subprocess.run(
        ["unshare", "--net", "sh", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )
    print(run.stdout[-4000:])
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1], run.stdout[-2000:]


def test_open_webui_asks_the_assistant_through_v1(
    request: pytest.FixtureRequest, model_cache: Path, tmp_path: Path
) -> None:
    if not OPEN_WEBUI.exists():
        pytest.skip(f"Open WebUI is not installed ({OPEN_WEBUI}); scripts/setup-openwebui.sh installs it")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed")
    if os.environ.get(ISOLATED) != "1":
        _run_isolated(request.node.nodeid, model_cache)
        return

    # inside the namespace: loopback is the only network there is
    assistant_port, webui_port = free_port(), free_port()
    assistant_url, webui_url = f"http://127.0.0.1:{assistant_port}", f"http://127.0.0.1:{webui_port}"
    awt_log, webui_log = tmp_path / "serve.log", tmp_path / "open-webui.log"
    with awt_log.open("wb") as awt_out, webui_log.open("wb") as webui_out:
        assistant = start_server(
            assistant_port,
            {
                "AWT_DATA_DIR": str(tmp_path / "awt"),
                "AWT_MODEL_CACHE_DIR": os.environ["AWT_MODEL_CACHE_DIR"],
                "AWT_API_KEYS": KEY,
            },
            stderr=awt_out,
        )
        webui = subprocess.Popen(
            [str(OPEN_WEBUI), "serve", "--host", "127.0.0.1", "--port", str(webui_port)],
            cwd=tmp_path,
            env=_open_webui_env(tmp_path / "open-webui", assistant_url),
            stdout=webui_out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(assistant_url, assistant)
            _wait_for(f"{webui_url}/health", webui, webui_log)
            _chat_in_open_webui(webui_url)
        finally:
            webui.terminate()
            try:
                webui.wait(timeout=20)
            except subprocess.TimeoutExpired:
                webui.kill()
                webui.wait(timeout=5)
            stop_server(assistant)


def _chat_in_open_webui(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url + "/", timeout=ANSWER_MS)
            box = page.locator("#chat-input")
            expect(box).to_be_visible(timeout=ANSWER_MS)
            page.wait_for_timeout(2000)  # the "what's new" dialog appears a moment after the page
            page.keyboard.press("Escape")
            expect(page.get_by_role("dialog")).to_have_count(0, timeout=10_000)
            # the model Open WebUI took from GET /v1/models
            expect(page.get_by_text("awt-assistent").first).to_be_visible(timeout=ANSWER_MS)

            _ask(page, box, "Met welke landen moet Nederland samenwerken?")
            first = page.locator("#response-content-container").last
            expect(first).to_contain_text("Bronnen:", timeout=ANSWER_MS)
            expect(first).to_contain_text("[1] Aanbeveling 3, stap 6 — „Werk samen met")

            _ask(page, box, "En wat is de vijfde stap daarvan?")  # Open WebUI sends the conversation as messages
            second = page.locator("#response-content-container").last
            expect(second).to_contain_text("[1] Aanbeveling 3, stap 5 — „", timeout=ANSWER_MS)
            expect(page.locator("#response-content-container")).to_have_count(2)
            page.wait_for_timeout(1000)  # the last words are rendered
            artifacts = REPO / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "open-webui.png"))
        finally:
            browser.close()


def _ask(page: Any, box: Any, question: str) -> None:
    before = page.locator("#response-content-container").count()
    box.click()
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    expect(page.locator("#response-content-container")).to_have_count(before + 1, timeout=ANSWER_MS)
