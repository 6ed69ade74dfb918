"""Login, security headers, sub-path and Dutch page locale, on the real app around a fake assistant."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.settings import ConfigurationError

GUARDED = [
    ("GET", "/"),
    ("GET", "/embed/"),
    ("GET", "/config"),
    ("GET", "/embed/config"),
    ("GET", "/gradio_api/info"),
    ("POST", "/gradio_api/queue/join"),
    ("GET", "/api/health"),
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/ask"),
    ("POST", "/api/ask/stream"),
    ("POST", "/api/feedback"),
]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def client(default_app: Any) -> TestClient:
    return TestClient(default_app)


@pytest.mark.parametrize("path", ["/", "/embed/", "/api/health", "/api/docs"])
def test_default_headers_allow_only_same_origin_framing(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/embed/"])
def test_pages_are_dutch(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert '<html\n\tlang="nl"' in page.text or '<html lang="nl"' in page.text
    assert "'nl'" in page.text.split("</head>")[0]  # Gradio's own texts in Dutch, whatever the browser says
    assert "fonts.googleapis" not in page.text


def test_embed_without_slash_redirects_relatively(client: TestClient) -> None:
    response = client.get("/embed", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "embed/"


def test_allowed_embedders_are_configurable(make_app: Any) -> None:
    client = TestClient(make_app(frame_ancestors="'self' https://intranet.example.nl"))
    response = client.get("/embed/")
    assert "frame-ancestors 'self' https://intranet.example.nl" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers  # it cannot express a list: CSP alone decides


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"frame_ancestors": "'self'; script-src *"}, "AWT_FRAME_ANCESTORS"),
        ({"auth_username": "ambtenaar"}, "AWT_AUTH_PASSWORD"),
        ({"auth_header": "X-Remote User"}, "AWT_AUTH_HEADER"),
        ({"root_path": "/awt/<script>"}, "AWT_ROOT_PATH"),
    ],
)
def test_unsafe_settings_are_refused_in_dutch(make_app: Any, overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make_app(**overrides)


def test_basic_auth_blocks_everything(make_app: Any) -> None:
    client = TestClient(make_app(auth_username="ambtenaar", auth_password="geheim wachtwoord"))
    for method, path in GUARDED:
        for headers in (
            {},
            basic("ambtenaar", "fout"),
            basic("iemand", "geheim wachtwoord"),
            {"Authorization": "Basic %%%"},
        ):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"].startswith('Basic realm="AWT-assistent"')
            assert "Aanmelden" in response.text
    ok = basic("ambtenaar", "geheim wachtwoord")
    assert client.get("/", headers=ok).status_code == 200
    assert client.get("/embed/", headers=ok).status_code == 200
    assert client.get("/api/health", headers=ok).json()["status"] == "ok"
    answer = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"}, headers=ok)
    assert answer.status_code == 200
    assert client.get("/api/health").json()["detail"].startswith("Aanmelden")  # Dutch JSON for the API


def test_trusted_proxy_header_blocks_everything(make_app: Any) -> None:
    client = TestClient(make_app(auth_header="X-Remote-User"))
    for method, path in GUARDED:
        for headers in ({}, {"X-Remote-User": ""}, {"X-Remote-User": "   "}, {"X-Other": "jan"}):
            assert client.request(method, path, headers=headers).status_code == 403, (method, path, headers)
    user = {"X-Remote-User": "j.jansen"}
    assert client.get("/", headers=user).status_code == 200
    assert client.get("/api/health", headers=user).status_code == 200
    assert "Geen toegang" in client.get("/api/health").json()["detail"]


def test_sub_path_works_with_and_without_the_proxy_stripping_it(make_app: Any) -> None:
    client = TestClient(make_app(root_path="/awt/"))
    for prefix in ("", "/awt"):
        assert client.get(f"{prefix}/api/health").status_code == 200
        assert client.get(f"{prefix}/embed/").status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert spec["servers"] == [{"url": "/awt"}]
    assert client.get("/config").json()["root"].endswith("/awt")
    assert client.get("/embed/config").json()["root"].endswith("/awt/embed")
