"""The eval runner end to end with a fake assistant: outputs, exit codes, baseline, escaping."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.contract import Answer, Citation, Message
from assistant.protocol import Assistant, Named
from evals.__main__ import main
from evals.runner import RunConfig, build_asker, run
from knowledge.units import Document, KnowledgeBase

DOC = (
    "De Adviesraad voor het wetenschaps- en technologiebeleid (AWT) heeft een advies over sociale "
    "innovatie uitgebracht aan de regering. Sociale innovatie is vernieuwing van de arbeidsorganisatie "
    "en de inzet van kennis en vaardigheden. De overheid moet ruimte bieden aan experimenten met "
    "nieuwe vormen van samenwerking tussen werkgevers en werknemers."
)
PASSAGES = {
    "Inleiding": (
        "De Adviesraad voor het wetenschaps- en technologiebeleid (AWT) heeft een advies over sociale innovatie "
        "uitgebracht aan de regering."
    ),
    "Wat is sociale innovatie?": (
        "Sociale innovatie is vernieuwing van de arbeidsorganisatie en de inzet van kennis en vaardigheden."
    ),
    "Rol overheid": (
        "De overheid moet ruimte bieden aan experimenten met nieuwe vormen van samenwerking tussen werkgevers en "
        "werknemers."
    ),
}
XSS = "<script>alert(1)</script>"

ITEMS: list[dict[str, object]] = [
    {
        "id": "inl-wie",
        "question": "Wie heeft dit advies uitgebracht?",
        "expected_citations": ["Inleiding"],
        "support": ["Adviesraad voor het wetenschaps- en technologiebeleid"],
        "key_facts": [["Adviesraad voor het wetenschaps- en technologiebeleid", "AWT"]],
        "answerable": True,
    },
    {
        "id": "def",
        "question": f"Wat is sociale innovatie? {XSS}",
        "expected_citations": ["Wat is sociale innovatie?"],
        "key_facts": [["arbeidsorganisatie"], ["kennis en vaardigheden"]],
        "answerable": True,
    },
    {
        "id": "def-typo",
        "question": "wat is sociale inovatie",
        "expected_citations": ["Wat is sociale innovatie?"],
        "key_facts": [["arbeidsorganisatie"]],
        "answerable": True,
        "variant_of": "def",
    },
    {
        "id": "rol",
        "question": "Welke rol heeft de overheid?",
        "history": [
            {"role": "user", "content": "Wat is sociale innovatie?"},
            {"role": "assistant", "content": "Vernieuwing."},
        ],
        "expected_citations": ["Rol overheid"],
        "key_facts": [["experimenten"]],
        "answerable": True,
    },
    {"id": "weer", "question": "Wat voor weer wordt het morgen?", "answerable": False, "category": "buiten_scope"},
]


class FakeAssistant:
    """An :class:`assistant.protocol.Assistant` answering from PASSAGES; ``broken`` ids get a wrong answer,
    ``crash`` ids raise."""

    backend = Named("nep")
    knowledge = KnowledgeBase((Document("advies", "Advies", DOC),))

    def __init__(self, broken: frozenset[str] = frozenset(), crash: frozenset[str] = frozenset()) -> None:
        self.items = {str(item["question"]): item for item in ITEMS}
        self.broken = broken
        self.crash = crash
        self.histories: dict[str, list[Message]] = {}

    def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
        item = self.items[question]
        item_id = str(item["id"])
        self.histories[item_id] = list(history)
        if item_id in self.crash:
            raise RuntimeError("index niet geladen")
        if not item["answerable"]:
            if item_id in self.broken:
                return self._answer(question, "Rol overheid")
            return Answer(
                question=question,
                answer="Daar gaat het advies niet over, dus die vraag kan ik niet beantwoorden.",
                citations=[],
                refused=True,
                backend="nep",
            )
        if item_id in self.broken:
            return Answer(
                question=question, answer="I cannot say much about that.", citations=[], refused=False, backend="nep"
            )
        expected = item["expected_citations"]
        assert isinstance(expected, list)
        return self._answer(question, str(expected[0]))

    @staticmethod
    def _answer(question: str, label: str) -> Answer:
        quote = PASSAGES[label]
        start = DOC.index(quote)
        citation = Citation(
            n=1,
            label=label,
            document="advies",
            quote=quote,
            score=0.9,
            unit_id=label,
            start=start,
            end=start + len(quote),
        )
        return Answer(
            question=question, answer=f"{quote[:-1]} [1].", citations=[citation], refused=False, backend="nep"
        )

    def document_text(self, document: str) -> str:
        return self.knowledge.document(document).text


_FAKE_IS_AN_ASSISTANT: Assistant = FakeAssistant()  # mypy checks the fake against the protocol


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in ITEMS), encoding="utf-8")
    return path


def config(tmp_path: Path, dataset: Path, **changes: Any) -> RunConfig:
    base = RunConfig(
        dataset=dataset, output=tmp_path / "out", backend="nep", baseline=tmp_path / "baseline.json", progress=False
    )
    return dataclasses.replace(base, **changes)


def summary(tmp_path: Path) -> dict[str, object]:
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def checks_by_metric(tmp_path: Path) -> dict[str, dict[str, Any]]:
    checks = summary(tmp_path)["checks"]
    assert isinstance(checks, list)
    return {c["metric"]: c for c in checks}


def test_healthy_run_writes_all_outputs_and_passes(tmp_path: Path, dataset: Path) -> None:
    fake = FakeAssistant()
    stdout = io.StringIO()
    assert run(config(tmp_path, dataset), asker=fake, stdout=stdout) == 0

    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {"results.jsonl", "summary.json", "report.md", "report.html"}
    data = summary(tmp_path)
    metrics = data["metrics"]
    assert isinstance(metrics, dict)
    for key in ("label_accuracy", "recall_at_1", "recall_at_3", "mrr", "key_fact_recall", "refusal_accuracy"):
        assert metrics[key] == 1.0, key
    assert metrics["false_refusal_rate"] == 0.0
    assert metrics["quote_verbatim_rate"] == 1.0 and metrics["dutch_rate"] == 1.0
    assert metrics["sentence_support_rate"] == 1.0
    assert metrics["robustness_key_fact_drop"] == 0.0
    assert data["passed"] is True and data["n_items"] == 5 and data["n_failing_items"] == 0

    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [item["id"] for item in ITEMS]
    assert set(Answer.model_fields) <= set(records[0])
    assert records[0]["citations"][0]["label"] == "Inleiding" and records[0]["metrics"]["mrr"] == 1.0

    assert fake.histories["rol"] == [
        Message(role="user", content="Wat is sociale innovatie?"),
        Message(role="assistant", content="Vernieuwing."),
    ]
    assert fake.histories["inl-wie"] == []

    table = stdout.getvalue()
    assert "Juiste eerste bron" in table and "≥ 0.90" in table and "Resultaat: GESLAAGD" in table
    assert "Geen baseline voor backend 'nep'" in table


def test_threshold_failure_exits_1_and_reports_the_item(tmp_path: Path, dataset: Path) -> None:
    stdout = io.StringIO()
    code = run(config(tmp_path, dataset), asker=FakeAssistant(broken=frozenset({"def", "weer"})), stdout=stdout)
    assert code == 1
    data = summary(tmp_path)
    metrics = data["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["label_accuracy"] == 0.75
    assert metrics["refusal_accuracy"] == 0.0
    assert metrics["dutch_rate"] == 0.8
    assert metrics["robustness_label_drop"] == -1.0  # the typo variant did better than its original
    assert data["passed"] is False
    assert "Resultaat: MISLUKT" in stdout.getvalue() and "ONDER DREMPEL" in stdout.getvalue()

    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "### def" in report and "I cannot say much about that." in report
    assert "Kernfeit ontbreekt" in report and "Niet geweigerd" in report
    assert "### inl-wie" not in report


def test_regression_against_baseline_exits_1(tmp_path: Path, dataset: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(config(tmp_path, dataset, update_baseline=True), asker=FakeAssistant(), stdout=io.StringIO()) == 0
    assert json.loads(baseline.read_text(encoding="utf-8"))["backends"]["nep"]["metrics"]["citation_precision"] == 1.0

    class NeedlessCitations(FakeAssistant):
        """Adds an irrelevant second citation: only citation precision drops, no threshold is hit."""

        def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
            answer = super().ask(question, history)
            if answer.refused:
                return answer
            other = "Inleiding" if answer.citations[0].label == "Rol overheid" else "Rol overheid"
            extra = self._answer(question, other).citations[0].model_copy(update={"n": 2})
            return answer.model_copy(
                update={"answer": answer.answer.replace("[1]", "[1][2]"), "citations": [*answer.citations, extra]}
            )

    stdout = io.StringIO()
    assert run(config(tmp_path, dataset), asker=NeedlessCitations(), stdout=stdout) == 1
    checks = checks_by_metric(tmp_path)
    assert all(c["threshold_ok"] is not False for c in checks.values())
    assert checks["citation_precision"]["value"] == 0.5 and checks["citation_precision"]["regressed"] is True
    assert [key for key, c in checks.items() if c["regressed"]] == ["citation_precision"]
    assert "ACHTERUITGANG" in stdout.getvalue()
    assert run(config(tmp_path, dataset, tolerance=0.6), asker=NeedlessCitations(), stdout=io.StringIO()) == 0


def test_a_baseline_of_another_dataset_is_not_compared(tmp_path: Path, dataset: Path) -> None:
    assert run(config(tmp_path, dataset, update_baseline=True), asker=FakeAssistant(), stdout=io.StringIO()) == 0
    other = dataset.with_name("ander.jsonl")
    shutil.copy(dataset, other)

    class Worse(FakeAssistant):
        def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
            answer = super().ask(question, history)
            if answer.refused:
                return answer
            extra = self._answer(question, "Inleiding").citations[0].model_copy(update={"n": 2})
            return answer.model_copy(
                update={"answer": answer.answer.replace("[1]", "[1][2]"), "citations": [*answer.citations, extra]}
            )

    stdout = io.StringIO()
    run(config(tmp_path, other), asker=Worse(), stdout=stdout)
    checks = checks_by_metric(tmp_path)
    assert not any(c["regressed"] for c in checks.values())
    assert "niet bij deze dataset" in stdout.getvalue()


def test_update_baseline_rewrites_and_then_compares_clean(tmp_path: Path, dataset: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps(
            {
                "version": 1,
                "backends": {"ander": {"dataset": "x", "dataset_sha256": "y", "n_items": 1, "metrics": {"mrr": 0.1}}},
            }
        ),
        encoding="utf-8",
    )
    broken = FakeAssistant(broken=frozenset({"def"}))
    assert (
        run(config(tmp_path, dataset, update_baseline=True), asker=broken, stdout=io.StringIO()) == 1
    )  # thresholds fail
    stored = json.loads(baseline.read_text(encoding="utf-8"))
    assert stored["backends"]["nep"]["metrics"]["label_accuracy"] == 0.75
    assert stored["backends"]["ander"]["metrics"]["mrr"] == 0.1  # other backends are kept

    assert run(config(tmp_path, dataset, update_baseline=True), asker=FakeAssistant(), stdout=io.StringIO()) == 0
    assert json.loads(baseline.read_text(encoding="utf-8"))["backends"]["nep"]["metrics"]["label_accuracy"] == 1.0
    assert run(config(tmp_path, dataset), asker=FakeAssistant(), stdout=io.StringIO()) == 0
    checks = checks_by_metric(tmp_path)
    assert checks["label_accuracy"]["baseline"] == 1.0 and checks["label_accuracy"]["delta"] == 0.0


def test_report_html_escapes_content_and_is_self_contained(tmp_path: Path, dataset: Path) -> None:
    run(config(tmp_path, dataset), asker=FakeAssistant(broken=frozenset({"def"})), stdout=io.StringIO())
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<svg" in html and "<style>" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert XSS not in md and "&lt;script&gt;" in md


def test_assistant_exception_is_recorded_and_fails_the_run(tmp_path: Path, dataset: Path) -> None:
    stdout = io.StringIO()
    assert run(config(tmp_path, dataset), asker=FakeAssistant(crash=frozenset({"weer"})), stdout=stdout) == 1
    records = [
        json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    crashed = next(r for r in records if r["id"] == "weer")
    assert crashed["error"] == "RuntimeError: index niet geladen" and crashed["passed"] is False
    assert summary(tmp_path)["n_errors"] == 1
    assert "gaven een fout" in stdout.getvalue()


def test_cli_uses_the_assistant_factory_and_reports_bad_lines(
    tmp_path: Path, dataset: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built: list[str] = []

    def fake_build(backend: str, documents: tuple[Path, ...] = (), workdir: Path | None = None) -> FakeAssistant:
        built.append(backend)
        return FakeAssistant()

    monkeypatch.setattr("evals.runner.build_asker", fake_build)
    args = ["run", "--dataset", str(dataset), "--output", str(tmp_path / "out"), "--baseline", str(tmp_path / "b.json")]
    assert main([*args, "--backend", "nep", "--no-progress"]) == 0
    assert built == ["nep"]
    assert "Resultaat: GESLAAGD" in capsys.readouterr().out

    dataset.write_text(dataset.read_text(encoding="utf-8") + '{"id": "kapot", "question": "?"}\n', encoding="utf-8")
    assert main([*args, "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "regel 6" in error and "'answerable' ontbreekt" in error and error.startswith("Fout:")
    assert built == ["nep"]  # invalid data is rejected before the assistant is built


def test_cli_rejects_a_missing_documents_folder(
    tmp_path: Path, dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--dataset", str(dataset), "--output", str(tmp_path / "out"), "--no-progress"]
    assert main([*args, "--documents", str(tmp_path / "nergens")]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_extra_documents_join_the_shipped_knowledge_in_a_throwaway_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.settings import Settings

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "tweede.txt").write_text("Tweede advies\n\nEen alinea.\n", encoding="utf-8")
    seen: list[Settings] = []

    def fake_build_assistant(settings: Settings) -> FakeAssistant:
        seen.append(settings)
        return FakeAssistant()

    monkeypatch.setattr("assistant.service.build_assistant", fake_build_assistant)
    build_asker("extractief", (extra,), tmp_path / "werk")
    settings = seen[0]
    names = sorted(p.name for p in settings.knowledge_dir.iterdir())
    shipped = sorted(p.name for p in Settings().knowledge_dir.iterdir())
    assert names == sorted([*shipped, "tweede.txt"])
    assert settings.data_dir == tmp_path / "werk" / "data"
    assert settings.models_dir == Settings().models_dir  # the model is not downloaded or exported again


def test_cli_rejects_unknown_judge(tmp_path: Path, dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "--dataset", str(dataset), "--output", str(tmp_path / "out"), "--judge", "gpt", "--no-progress"]
    assert main(args) == 2
    assert "Onbekende beoordelaar 'gpt'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_library_profile_brings_its_own_dataset_baseline_and_documents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[RunConfig] = []

    def fake_run(config: RunConfig) -> int:
        seen.append(config)
        return 0

    monkeypatch.setattr("evals.__main__.run", fake_run)
    assert main(["run", "--profile", "library", "--output", str(tmp_path / "out")]) == 0
    assert main(["run", "--profile", "blind", "--dataset", "evals/blind-1.jsonl"]) == 0
    assert main(["run", "--profile", "blind", "--dataset", "evals/blind-x.jsonl", "--library"]) == 0
    assert main(["run", "--profile", "blind-library", "--dataset", "evals/blind-library-1.jsonl"]) == 0
    library, blind, blind_library, blind_profile = seen
    assert blind_library.library and blind_library.baseline.name == "baseline.json"
    assert (blind_profile.library, blind_profile.profile) == (True, "blind-library")
    assert (library.dataset.name, library.baseline.name, library.library) == (
        "gold-library.jsonl",
        "baseline-library.json",
        True,
    )
    assert (blind.dataset.name, blind.baseline.name, blind.library) == ("blind-1.jsonl", "baseline.json", False)


def test_a_library_run_generates_the_documents_into_its_own_folder(
    tmp_path: Path, dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge import DEFAULT_KNOWLEDGE_DIR

    shipped = sorted(p.name for p in DEFAULT_KNOWLEDGE_DIR.iterdir())
    folders: list[list[str]] = []

    def fake_build(backend: str, documents: tuple[Path, ...] = (), workdir: Path | None = None) -> FakeAssistant:
        assert workdir is not None and all(folder.is_relative_to(workdir) for folder in documents)
        folders.extend(sorted(p.name for p in folder.iterdir()) for folder in documents)
        return FakeAssistant()

    monkeypatch.setattr("evals.runner.build_asker", fake_build)
    out = io.StringIO()
    assert run(config(tmp_path, dataset, library=True), stdout=out) == 0
    assert len(folders) == 1 and {"awk-advies-12-drinkwater.pdf", "psf-notitie-fietsparkeren.docx"} <= set(folders[0])
    assert "Gegenereerde documenten geladen" in out.getvalue()
    assert sorted(p.name for p in DEFAULT_KNOWLEDGE_DIR.iterdir()) == shipped  # the shipped knowledge is untouched
