"""The JSON API with FastAPI's TestClient and a fake assistant: contract, Dutch errors, limits, feedback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from awt_web_support import FakeAssistant, while_the_only_slot_is_held, with_second_document
from fastapi.testclient import TestClient

from assistant.contract import Answer, Message
from knowledge.units import KnowledgeBase

ENGLISH = ("Field required", "Input should", "Not Found", "Method Not Allowed", "value is not", "JSON decode")


@pytest.fixture(scope="module")
def client(default_app: Any) -> TestClient:
    return TestClient(default_app)


def test_ask_returns_the_ask_json_contract(client: TestClient, shared_fake: FakeAssistant) -> None:
    response = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"question", "answer", "citations", "refused", "backend", "notice"}
    assert body == shared_fake.ask("Wat is de derde aanbeveling?").model_dump()
    assert body["citations"][0]["label"] == "Aanbeveling 3"


def test_history_reaches_the_assistant(client: TestClient, shared_fake: FakeAssistant) -> None:
    history = [
        {"role": "user", "content": "Wat is de derde aanbeveling?"},
        {"role": "assistant", "content": "Stimuleer … [1]"},
    ]
    response = client.post("/api/ask", json={"question": "En de vijfde stap daarvan?", "history": history})
    assert response.status_code == 200
    question, turns = shared_fake.calls[-1]
    assert question == "En de vijfde stap daarvan?"
    assert [m.model_dump() for m in turns] == history


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"question": "   "}, "leeg"),
        ({"question": "x" * 2500}, "te lang"),
        ({}, "‘question’ ontbreekt"),
        ({"question": 42}, "‘question’ moet tekst zijn"),
        ({"question": None}, "‘question’ moet tekst zijn"),
        ({"question": ["Wat?"]}, "‘question’ moet tekst zijn"),
        ({"question": "Wat?", "history": "Wat is stap 1?"}, "‘history’ moet een lijst zijn"),
        ({"question": "Wat?", "history": [{"role": "system", "content": "x"}]}, "‘user’ of ‘assistant’"),
        ({"question": "Wat?", "history": [{"role": "user"}]}, "history[0].content’ ontbreekt"),
        ({"question": "Wat?", "history": ["Wat is stap 1?"]}, "history[0]’ moet een object zijn"),
        ({"question": "Wat?", "history": [{"role": "user", "content": "x"}] * 51}, "te lang"),
        ({"question": "Wat?", "temperature": 2}, "‘temperature’ is geen toegestaan veld"),
        (["Wat?"], "JSON-object"),
    ],
)
def test_bad_requests_get_422_in_dutch(client: TestClient, payload: Any, expected: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert expected in detail
    assert not any(word in detail for word in ENGLISH)


def test_malformed_json_gets_422_in_dutch(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": "Wat', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "geen geldige JSON" in response.json()["detail"]


def test_unknown_paths_and_methods_answer_in_dutch(client: TestClient) -> None:
    missing = client.get("/api/bestaat-niet")
    assert missing.status_code == 404
    assert "bestaat niet" in missing.json()["detail"]
    wrong_method = client.get("/api/ask")
    assert wrong_method.status_code == 405
    assert "niet toegestaan" in wrong_method.json()["detail"]


def test_health(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "documents": 1,
        "titles": ["De kracht van sociale innovatie"],
        "units": 1,
        "backend": "extractief",
        "feedback": False,
        "index": "klaar",
        "progress": None,
        "fingerprint": None,  # a given assistant is never rebuilt
        "chat": "klaar",
    }


def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/health"} <= set(spec["paths"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert 'lang="nl"' in docs.text and "POST /api/ask" in docs.text
    assert "cdn" not in docs.text.lower() and 'src="http' not in docs.text and 'href="http' not in docs.text


def test_stream_sends_word_deltas_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": "Wat is de derde aanbeveling?"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join(response.iter_text())
    events = [block.split("\n", 1) for block in raw.strip().split("\n\n")]
    names = [head.removeprefix("event: ") for head, _ in events]
    data = [json.loads(body.removeprefix("data: ")) for _, body in events]
    assert names[-1] == "answer" and set(names[:-1]) == {"delta"} and len(names) > 3
    assert "".join(d["text"] for d in data[:-1]) == data[-1]["answer"]
    assert client.post("/api/ask/stream", json={"question": ""}).status_code == 422


def test_a_full_server_answers_503_with_retry_after(make_app: Any) -> None:
    first, second = while_the_only_slot_is_held(make_app, "/api/ask", {"question": "Wat is de derde aanbeveling?"})
    assert first.status_code == 200
    assert second.status_code == 503
    assert second.headers["retry-after"] == "5"
    assert "Even geduld" in second.json()["detail"]


def test_feedback_is_off_by_default(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"}).json()
    response = client.post("/api/feedback", json={"vote": "up", "question": "Wat?", "answer": answer})
    assert response.status_code == 404
    assert "Feedback staat uit" in response.json()["detail"]


def test_feedback_is_stored_and_exported_as_eval_items(
    make_app: Any, fake_assistant: FakeAssistant, tmp_path: Any
) -> None:
    from assistant.web import export_feedback
    from evals.dataset import GoldItem

    fake_assistant.refusals.add("Wat voor weer wordt het?")
    client = TestClient(make_app(feedback=True))
    assert client.get("/api/health").json()["feedback"] is True
    question = "Wat is de derde aanbeveling?"
    answer = client.post("/api/ask", json={"question": question}).json()
    history = [{"role": "user", "content": "Wat is sociale innovatie?"}]
    up = client.post("/api/feedback", json={"vote": "up", "question": question, "history": history, "answer": answer})
    assert up.status_code == 201
    refusal = client.post("/api/ask", json={"question": "Wat voor weer wordt het?"}).json()
    assert refusal["refused"] is True
    down = client.post(
        "/api/feedback", json={"vote": "down", "question": "Wat voor weer wordt het?", "answer": refusal}
    )
    assert down.status_code == 201
    assert client.post("/api/feedback", json={"vote": "meh", "question": "x", "answer": answer}).status_code == 422

    items = export_feedback(tmp_path / "data" / "feedback.sqlite3")
    assert [item["id"] for item in items] == [f"feedback-{up.json()['id']}", f"feedback-{down.json()['id']}"]
    good, bad = items
    assert good["question"] == question and good["history"] == history
    assert good["expected_citations"] == ["Aanbeveling 3"] and good["answerable"] is True and good["key_facts"] == []
    assert bad["expected_citations"] == [] and bad["answerable"] is False and bad["needs_review"] is True
    assert "history" not in bad
    for item in items:
        GoldItem.model_validate(item)  # the eval format, as evals/gold.jsonl has it


def test_export_of_a_missing_database_is_empty(tmp_path: Any) -> None:
    from assistant.web import export_feedback

    assert export_feedback(tmp_path / "nergens.sqlite3") == []


def test_feedback_export_cli_writes_eval_items(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from assistant.cli import main
    from assistant.contract import Answer
    from assistant.web.feedback import FEEDBACK_FILE, FeedbackStore
    from evals.dataset import load_dataset

    monkeypatch.setenv("AWT_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    missing = runner.invoke(main, ["feedback-export"])
    assert missing.exit_code == 1 and "nog geen feedback" in missing.output

    store = FeedbackStore(tmp_path / FEEDBACK_FILE)
    answer = {
        "question": "Wat is stap 5?",
        "answer": "„Geef voorrang…” [1]",
        "refused": False,
        "backend": "extractief",
        "citations": [
            {
                "n": 1,
                "label": "Aanbeveling 3, stap 5",
                "document": "a.txt",
                "quote": "Geef voorrang",
                "score": 1.0,
                "unit_id": "a#1",
                "start": 0,
                "end": 13,
            }
        ],
    }
    store.record("up", "Wat is stap 5?", [], Answer.model_validate(answer), source="test")
    store.record(
        "down", "Wat is stap 6?", [], Answer.model_validate({**answer, "question": "Wat is stap 6?"}), source="test"
    )
    out = tmp_path / "feedback.jsonl"
    result = runner.invoke(main, ["feedback-export", "--output", str(out)])
    assert result.exit_code == 0, result.output
    items = load_dataset(out)
    assert [i.question for i in items] == ["Wat is stap 5?", "Wat is stap 6?"]
    assert items[0].expected_citations == ["Aanbeveling 3, stap 5"] and items[0].answerable
    assert not items[1].answerable


# --- the contract that /api/openapi.json describes (schemathesis checks it on a real server: test_openapi_contract)


def _documented(spec: dict[str, Any]) -> dict[str, set[str]]:
    """The status codes documented per operation."""
    return {f"{m.upper()} {p}": set(op["responses"]) for p, ops in spec["paths"].items() for m, op in ops.items()}


def test_every_status_the_api_can_answer_is_documented(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert _documented(spec) == {
        "POST /api/ask": {"200", "400", "422", "429", "503", "500"},
        "POST /api/ask/stream": {"200", "400", "422", "429", "503", "500"},
        "GET /api/health": {"200", "500"},
        "GET /api/documents": {"200", "500"},
        "POST /api/feedback": {"201", "400", "404", "422", "503", "500"},
        # the OpenAI-compatible API: 400 for an invalid body, as OpenAI does (tests/web/test_openai_compat.py)
        "POST /v1/chat/completions": {"200", "400", "404", "429", "503", "500"},
        "GET /v1/models": {"200", "500"},
        "GET /v1/models/{model}": {"200", "404", "500"},
    }
    for path, operations in spec["paths"].items():
        error = "/OpenAIError" if path.startswith("/v1/") else "/ErrorDetail"
        for operation in operations.values():
            for code, response in operation["responses"].items():
                if code[0] in "45":
                    assert response["content"]["application/json"]["schema"]["$ref"].endswith(error)
    assert spec["paths"]["/api/ask"]["post"]["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    assert "itemSchema" in spec["paths"]["/api/ask/stream"]["post"]["responses"]["200"]["content"]["text/event-stream"]


def test_the_question_limits_are_described_as_configured(make_app: Any) -> None:
    spec = TestClient(make_app(max_question_chars=123)).get("/api/openapi.json").json()
    question = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert (question["minLength"], question["maxLength"]) == (1, 123)
    assert question["pattern"]  # at least one character that cleaning keeps (tests/unit/test_questions.py)
    reason = spec["components"]["schemas"]["Answer"]["properties"]["reason"]
    assert "beantwoord" in reason["enum"] and "niet_in_tekst" in reason["enum"]


@pytest.mark.parametrize(
    ("overrides", "code", "scheme"),
    [
        ({"auth_username": "ambtenaar", "auth_password": "geheim"}, "401", "basic"),
        ({"auth_header": "X-Remote-User"}, "403", "proxyHeader"),
    ],
)
def test_a_configured_login_is_described(make_app: Any, overrides: dict[str, str], code: str, scheme: str) -> None:
    client = TestClient(make_app(**overrides))
    login = {"Authorization": "Basic YW1idGVuYWFyOmdlaGVpbQ==", "X-Remote-User": "jan"}
    spec = client.get("/api/openapi.json", headers=login).json()
    assert scheme in spec["components"]["securitySchemes"] and {scheme: []} in spec["security"]
    assert all(code in codes for codes in _documented(spec).values())
    denied = client.post("/api/ask", json={"question": "Wat?"})
    assert denied.status_code == int(code) and denied.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/api/health", "GET"),
        ("POST", "/api/health", "GET"),
        ("HEAD", "/api/health", "GET"),
        ("PUT", "/api/ask", "POST"),
        ("OPTIONS", "/api/ask/stream", "POST"),
        ("DELETE", "/api/feedback", "POST"),
        ("POST", "/api/openapi.json", "GET, HEAD"),
    ],
)
def test_an_undeclared_method_gets_405_with_allow(client: TestClient, method: str, path: str, allow: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert "niet toegestaan" in response.json()["detail"]


@pytest.mark.parametrize("method", ["GET", "TRACE", "POST"])
def test_unknown_api_paths_stay_404_in_dutch(client: TestClient, method: str) -> None:
    response = client.request(method, "/api/bestaat-niet")
    assert response.status_code == 404 and "bestaat niet" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/api/feedback"])
def test_unreadable_bytes_get_the_documented_400_in_dutch(client: TestClient, path: str) -> None:
    response = client.post(path, content=b'{"question": "\xff"}', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "kon niet worden gelezen" in response.json()["detail"]


def test_an_unexpected_error_is_a_dutch_500(make_app: Any) -> None:
    class Broken(FakeAssistant):
        def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
            raise RuntimeError("kapot")

    client = TestClient(make_app(assistant=Broken()), raise_server_exceptions=False)
    response = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"})
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Er ging onverwacht iets mis")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"n": 1.0}, 201),  # JSON Schema's integer: 1.0 is one
        ({"n": "1"}, 422),
        ({"start": True}, 422),
        ({"score": "0.9"}, 422),
    ],
)
def test_the_answer_sent_back_as_feedback_is_read_strictly(make_app: Any, change: dict[str, Any], status: int) -> None:
    client = TestClient(make_app(feedback=True))
    answer = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"}).json()
    answer["citations"][0].update(change)
    response = client.post("/api/feedback", json={"vote": "up", "question": "Wat?", "answer": answer})
    assert response.status_code == status, response.text


@pytest.mark.parametrize("change", [{"reason": "geen_idee"}, {"confidence": 1.5}, {"refused": "false"}])
def test_feedback_on_an_answer_the_api_never_gives_is_refused(make_app: Any, change: dict[str, Any]) -> None:
    client = TestClient(make_app(feedback=True))
    answer = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"}).json()
    response = client.post("/api/feedback", json={"vote": "up", "question": "Wat?", "answer": {**answer, **change}})
    assert response.status_code == 422 and response.json()["detail"].startswith("Ongeldig verzoek")


def test_lone_surrogates_are_stored_not_a_500(make_app: Any) -> None:
    client = TestClient(make_app(feedback=True), raise_server_exceptions=False)
    answer = client.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"}).json()
    raw = json.dumps(
        {
            "vote": "down",
            "question": "Wat?",
            "history": [{"role": "user", "content": "\ud800"}],
            "answer": {**answer, "answer": "\udc00"},
        }
    )
    response = client.post("/api/feedback", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text


# --- a question restricted to documents ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_fake() -> FakeAssistant:
    return with_second_document(FakeAssistant())


@pytest.fixture(scope="module")
def two_documents(two_fake: FakeAssistant, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from assistant.settings import Settings
    from assistant.web import create_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("two-documents"), rate_limit=0)
    return TestClient(create_app(settings, assistant=two_fake))


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize("name", ["inclusie", "INCLUSIE.md", " Advies over digitale inclusie ", "raad"])
def test_documents_restrict_the_question_by_any_of_their_names(
    two_documents: TestClient, two_fake: FakeAssistant, path: str, name: str
) -> None:
    response = two_documents.post(path, json={"question": "Wat is de tweede aanbeveling?", "documents": [name]})
    assert response.status_code == 200, response.text
    assert two_fake.scopes[-1:] == [("inclusie.md",)]  # resolved at the edge to the document's own name
    if path == "/api/ask":
        assert [c["document"] for c in response.json()["citations"]] == ["inclusie.md"]
    else:
        assert '"document": "inclusie.md"' in response.text


def test_without_documents_the_question_goes_to_all(two_documents: TestClient, two_fake: FakeAssistant) -> None:
    assert two_documents.post("/api/ask", json={"question": "Wat?", "documents": []}).status_code == 200
    assert two_documents.post("/api/ask", json={"question": "Wat?"}).status_code == 200
    assert two_fake.scopes[-2:] == [(), ()]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        (["rapport"], "Er is geen document ‘rapport’ geladen. Geladen: ‘De kracht van sociale innovatie’ (advies.txt)"),
        (["inclusie", ""], "Er is geen document ‘’ geladen"),
        ("inclusie", "‘documents’ moet een lijst zijn"),
        ([7], "‘documents[0]’ moet tekst zijn"),
        (["inclusie"] * 101, "‘documents’ is te lang (hoogstens 100 elementen)"),
    ],
)
def test_an_unknown_document_is_a_dutch_422(
    two_documents: TestClient, two_fake: FakeAssistant, path: str, documents: Any, expected: str
) -> None:
    asked = len(two_fake.calls)
    response = two_documents.post(path, json={"question": "Wat is de tweede aanbeveling?", "documents": documents})
    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert not any(word in response.json()["detail"] for word in ENGLISH)
    assert len(two_fake.calls) == asked  # the assistant was never asked


def test_an_unknown_document_costs_no_allowance(make_app: Any, fake_assistant: FakeAssistant) -> None:
    client = TestClient(make_app(assistant=with_second_document(fake_assistant), rate_limit=1))
    assert client.post("/api/ask", json={"question": "Wat?", "documents": ["rapport"]}).status_code == 422
    assert client.post("/api/ask", json={"question": "Wat?", "documents": ["inclusie"]}).status_code == 200
    assert client.post("/api/ask", json={"question": "Wat?", "documents": ["inclusie"]}).status_code == 429


def test_an_ambiguous_name_is_refused_with_the_files_it_fits(make_app: Any, fake_assistant: FakeAssistant) -> None:
    from dataclasses import replace

    bot = with_second_document(fake_assistant)
    pdf = replace(bot.knowledge.documents[1], name="inclusie.pdf")
    bot.knowledge = KnowledgeBase((*bot.knowledge.documents, pdf))
    client = TestClient(make_app(assistant=bot))
    response = client.post("/api/ask", json={"question": "Wat?", "documents": ["inclusie"]})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "‘inclusie’ past bij meer dan één document (inclusie.md, inclusie.pdf); geef de bestandsnaam."
    )
    assert client.post("/api/ask", json={"question": "Wat?", "documents": ["inclusie.pdf"]}).status_code == 200


def test_the_documents_and_their_names_are_listed(two_documents: TestClient) -> None:
    response = two_documents.get("/api/documents")
    assert response.status_code == 200
    assert response.json() == {
        "documents": [
            {
                "name": "advies.txt",
                "title": "De kracht van sociale innovatie",
                "short_name": "",
                "date": "",
                "units": 1,
                "names": ["advies.txt", "advies", "De kracht van sociale innovatie"],
            },
            {
                "name": "inclusie.md",
                "title": "Advies over digitale inclusie",
                "short_name": "Raad",
                "date": "",
                "units": 1,
                "names": ["inclusie.md", "inclusie", "Advies over digitale inclusie", "Raad"],
            },
        ]
    }
    for document in response.json()["documents"]:  # every name listed is one the API takes
        for name in document["names"]:
            answer = two_documents.post("/api/ask", json={"question": "Wat?", "documents": [name]}).json()
            assert answer["citations"][0]["document"] == document["name"]


def test_the_description_enumerates_the_names_and_the_docs_show_an_example(two_documents: TestClient) -> None:
    spec = two_documents.get("/api/openapi.json").json()
    field = spec["components"]["schemas"]["AskRequest"]["properties"]["documents"]
    assert field["items"]["enum"] == [
        "advies.txt",
        "advies",
        "De kracht van sociale innovatie",
        "inclusie.md",
        "inclusie",
        "Advies over digitale inclusie",
        "Raad",
    ]
    assert field["maxItems"] == 100 and "GET /api/documents" in field["description"]
    examples = spec["components"]["schemas"]["AskRequest"]["examples"]
    assert {"question": "Met welke landen moet Nederland samenwerken?", "documents": ["advies.txt"]} in examples
    docs = two_documents.get("/api/docs").text
    assert "Een vraag beperken tot documenten" in docs and "&quot;documents&quot;: [" in docs
    assert "extra_body" in docs and 'href="documents"' in docs
