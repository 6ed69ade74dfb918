"""Behind a real nginx under a sub-path (/awt/): the intranet page embeds /awt/embed/ and asks through it;
a page of another origin may not frame the app (CSP frame-ancestors); the ``openai`` package (``/awt/v1``) and
``gradio_client`` (``/awt/``, api ``/ask``) work through the proxy too."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from awt_web_support import ANSWER_TIMEOUT, LiveServer, ask, foreign, record_requests, sources_panel
from openai.types.chat import ChatCompletionMessageParam
from playwright.sync_api import expect

from assistant.settings import Settings
from tests.support import free_port, stop_process

pytestmark = [pytest.mark.integration, pytest.mark.browser]
NGINX = "/usr/sbin/nginx"
API_KEY = "sk-awt-nginx-0123456789"

CONFIG = """
daemon off;
worker_processes 1;
{user}
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    types {{ text/html html; }}
    default_type text/html;

    server {{  # the intranet: its own pages, and the assistant under /awt/
        listen 127.0.0.1:{intranet};
        root {d}/intranet;
        location = /awt {{ return 301 /awt/; }}
        location /awt/ {{
            proxy_pass http://127.0.0.1:{app}/;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
    server {{  # another origin (other port) that tries to frame the assistant
        listen 127.0.0.1:{other};
        root {d}/other;
    }}
}}
"""
HOST_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<iframe id="awt" src="{src}" title="AWT-assistent" style="width:100%;height:760px;border:1px solid #ccc"></iframe>
</body></html>"""


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopte: {log.read_text(errors='replace') if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx luisterde niet")


@pytest.fixture(scope="module")
def proxied(real_assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app with AWT_ROOT_PATH=/awt behind nginx; yields the intranet and other-origin base URLs."""
    if not Path(NGINX).exists():
        pytest.skip("nginx (/usr/sbin/nginx) is not installed")
    from assistant.web import create_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("nginx-app"), root_path="/awt", api_keys=(API_KEY,))
    d = tmp_path_factory.mktemp("nginx")
    with LiveServer(create_app(settings, assistant=real_assistant)) as app:
        intranet, other = free_port(), free_port()
        for folder in ("tmp", "intranet", "other"):
            (d / folder).mkdir()
        (d / "intranet" / "index.html").write_text(HOST_PAGE.format(title="Intranet", src="/awt/embed/"))
        (d / "other" / "index.html").write_text(
            HOST_PAGE.format(title="Andere site", src=f"http://127.0.0.1:{intranet}/awt/embed/")
        )
        user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private tmp dirs
        config = d / "nginx.conf"
        config.write_text(CONFIG.format(d=d, user=user, intranet=intranet, other=other, app=app.port))
        process = subprocess.Popen(
            [NGINX, "-p", str(d), "-c", str(config), "-e", str(d / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(intranet, process, d / "error.log")
            wait_for_port(other, process, d / "error.log")
            yield {"intranet": f"http://127.0.0.1:{intranet}", "other": f"http://127.0.0.1:{other}"}
        finally:
            stop_process(process, timeout=10)


def test_the_proxy_serves_the_app_under_the_sub_path(proxied: dict[str, Any]) -> None:
    base = proxied["intranet"]
    health = httpx.get(f"{base}/awt/api/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert httpx.get(f"{base}/awt/api/openapi.json", timeout=10).json()["servers"] == [{"url": "/awt"}]
    redirect = httpx.get(f"{base}/awt/embed", timeout=10)
    assert redirect.status_code == 307 and redirect.headers["location"] == "embed/"
    embed = httpx.get(f"{base}/awt/embed/", timeout=10)
    assert embed.status_code == 200
    assert "frame-ancestors 'self'" in embed.headers["content-security-policy"]
    assert embed.headers["x-frame-options"] == "SAMEORIGIN"
    config = httpx.get(f"{base}/awt/embed/config", timeout=10).json()
    assert config["root"] == f"{base}/awt/embed"


def test_an_intranet_page_embeds_the_assistant_and_asks_through_it(browser: Any, proxied: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    page = context.new_page()
    requests = record_requests(page)
    page.goto(proxied["intranet"] + "/")
    frame = page.locator("#awt").content_frame
    expect(frame.get_by_test_id("textbox")).to_be_editable(timeout=ANSWER_TIMEOUT)
    assert frame.get_by_role("heading", name="AWT-assistent").count() == 0  # compact: no header
    answer = ask(frame, "Met welke landen moet Nederland samenwerken?")
    expect(answer).to_contain_text("[1]")
    expect(sources_panel(frame)).to_contain_text("Aanbeveling 3, stap 6")
    frame.get_by_role("button", name="Toon [1] in het advies").click()
    expect(frame.locator("mark#awt-passage")).to_contain_text("Verenigd Koninkrijk")
    expect(frame.locator("mark#awt-passage")).to_be_in_viewport()
    page.screenshot(path=str(Path(__file__).resolve().parents[2] / "test-artifacts" / "embed.png"), full_page=True)
    host = proxied["intranet"].removeprefix("http://")
    assert not foreign(requests, host), foreign(requests, host)
    context.close()


def test_another_origin_cannot_frame_the_assistant(browser: Any, proxied: dict[str, Any]) -> None:
    context = browser.new_context()
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(proxied["other"] + "/")
    page.wait_for_timeout(1500)
    embed = [r for r in responses if r.url.endswith("/awt/embed/")]
    assert embed, "the iframe did not even ask for the app"
    assert "frame-ancestors 'self'" in embed[0].headers["content-security-policy"]
    child = next(f for f in page.frames if f != page.main_frame)
    assert child.url.startswith("chrome-error://")  # Chromium's "refused to connect" page
    assert "gradio_config" not in child.content() and "awt-question" not in child.content()
    assert child.locator("[data-testid=textbox]").count() == 0
    # the same URL, opened as a page of its own, does render: only the framing was refused
    direct = context.new_page()
    direct.goto(f"{proxied['intranet']}/awt/embed/")
    expect(direct.get_by_test_id("textbox")).to_be_visible(timeout=ANSWER_TIMEOUT)
    context.close()


def test_the_openai_client_works_through_the_proxy(proxied: dict[str, Any]) -> None:
    client = openai.OpenAI(base_url=f"{proxied['intranet']}/awt/v1", api_key=API_KEY, max_retries=0, timeout=60)
    assert [m.id for m in client.models.list()] == ["awt-assistent"]
    question: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": "Met welke landen moet Nederland samenwerken?"}
    ]
    completion = client.chat.completions.create(model="awt-assistent", messages=question)
    assert completion.model_extra is not None
    assert completion.model_extra["awt"]["citations"][0]["label"] == "Aanbeveling 3, stap 6"
    chunks = list(client.chat.completions.create(model="awt-assistent", messages=question, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) > 5 and streamed == completion.choices[0].message.content
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{proxied['intranet']}/awt/v1", api_key="verkeerd", max_retries=0).models.list()
    spec = httpx.get(f"{proxied['intranet']}/awt/api/openapi.json", timeout=10).json()
    assert spec["servers"] == [{"url": "/awt"}] and "/v1/chat/completions" in spec["paths"]


def test_gradio_client_works_through_the_proxy(proxied: dict[str, Any]) -> None:
    from gradio_client import Client

    client = Client(f"{proxied['intranet']}/awt/", verbose=False, download_files=False)
    try:
        answer = client.predict("Met welke landen moet Nederland samenwerken?", api_name="/ask")
        follow_up = client.predict(
            "En wat is de vijfde stap daarvan?",
            '[{"role": "user", "content": "Wat is de derde aanbeveling?"}]',
            api_name="/ask",
        )
    finally:
        client.close()
    assert answer["citations"][0]["label"] == "Aanbeveling 3, stap 6"
    assert follow_up["citations"][0]["label"] == "Aanbeveling 3, stap 5"
