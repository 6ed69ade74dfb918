"""The SentencePiece conversion of the model's tokenizer gives exactly the ids of ``tokenizers`` (issue 15).

Compared on every unit of the advice (as the index embeds it, and bare), on the 400 training questions (inputs only,
as the runtime embeds them) and on hard strings: accents composed and decomposed, digits, emoji with modifiers
and joiners, odd spaces, special tokens inside the text and a text far past ``max_length``. Not claimed: Viterbi
near-ties on exotic symbol runs (``‴``, three primes after NFKC) can segment differently, because ``tokenizers``
keeps the scores as float64 and SentencePiece as float32 (3 in 12,000 random strings of mixed scripts, symbols and
emoji; none in real text).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.e5_offline import ensure_e5_model
from index.onnx_export import ensure_onnx_model
from index.onnx_q4 import ensure_q4_model
from index.spm_tokenizer import META_NAME, SentencePieceTokenizer, convert, load_tokenizer
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_LENGTH = 512
HARD = [
    "Café, naïef, coördinatie, ruïne, één, Curaçao, Ærø, straße, financiën",
    "cafe\u0301, e\u0301e\u0301n, n\u0303, a\u0308\u0301, ｅ\u0301, Ａ\u0308",  # decomposed accents, fullwidth + mark
    "1.234,56 € 2014–2020, 3e, ½, ①②, 10%, 0x1F, 1e-5, ١٢٣",
    "emoji 🙂👍🏽 👨‍👩‍👧 ❤️ ✔️ 🇳🇱 #️⃣ en 🏳️‍🌈",
    "  twee  spaties,\u00a0\u00a0harde spaties\u2009en\u3000tab\tnieuwe\nregel\r\nen einde  ",
    "<s>speciaal</s> <mask> <unk><pad> en ▁al een metaspatie",
    "ﬁnanciën ﬀ ŉ Ⅻ ㎏ ™ ℃ ﬃ İstanbul ǅ",
    "日本語のテキスト, русский текст, ελληνικά, עברית, العربية, हिन्दी, 한국어",
    "\u200bzero\u200dwidth\ufeffbom\u00adhyphen",
    "",
    " ",
    "x" * 3000,
    "Sociale innovatie " * 400,
]


@pytest.fixture(scope="module", params=["runtime", "model"])
def tokenizer_json(model_cache: Path, request: pytest.FixtureRequest) -> Path:
    """The default runtime's tokenizer.json (as the ONNX export rewrote it) and the model folder's original one."""
    e5 = ensure_e5_model(model_cache)
    if request.param == "model":
        return e5 / "tokenizer.json"
    return ensure_q4_model(ensure_onnx_model(str(e5), model_cache), model_cache, layers=False) / "tokenizer.json"


@pytest.fixture(scope="module")
def pair(tokenizer_json: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[SentencePieceTokenizer, object]:
    from tokenizers import Tokenizer

    folder = tmp_path_factory.mktemp("spm")
    shutil.copyfile(tokenizer_json, folder / "tokenizer.json")
    ours = load_tokenizer(folder, folder / "tokenizer.json", max_length=MAX_LENGTH, pad_id=1, pad_token="<pad>")
    assert isinstance(ours, SentencePieceTokenizer)
    theirs = Tokenizer.from_file(str(tokenizer_json))
    theirs.enable_truncation(MAX_LENGTH)
    theirs.enable_padding(pad_id=1, pad_token="<pad>")
    return ours, theirs


def _texts() -> list[str]:
    units = load_knowledge(DEFAULT_KNOWLEDGE_DIR).units
    lines = (REPO_ROOT / "evals" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    assert len(questions) == 400
    return [
        *("passage: " + u.context_text() for u in units),
        *(u.text for u in units),
        *("query: " + q for q in questions),
        *HARD,
        *("query: " + h for h in HARD),
    ]


def test_the_ids_are_those_of_tokenizers_text_by_text(pair: tuple[SentencePieceTokenizer, object]) -> None:
    ours, theirs = pair
    texts = _texts()
    differ = [t for t in texts if ours.encode_ids(t) != theirs.encode(t).ids]  # type: ignore[attr-defined]
    assert differ == []
    assert len(ours.encode_ids("x" * 3000)) == MAX_LENGTH


def test_batches_are_padded_and_masked_as_tokenizers_pads_them(pair: tuple[SentencePieceTokenizer, object]) -> None:
    ours, theirs = pair
    texts = _texts()
    for start in range(0, len(texts), 32):
        batch = texts[start : start + 32]
        mine, reference = ours.encode_batch(batch), theirs.encode_batch(batch)  # type: ignore[attr-defined]
        assert [e.ids for e in mine] == [e.ids for e in reference]
        assert [e.attention_mask for e in mine] == [e.attention_mask for e in reference]
        assert [e.type_ids for e in mine] == [e.type_ids for e in reference]


def test_a_changed_tokenizer_json_is_converted_again(tokenizer_json: Path, tmp_path: Path) -> None:
    shutil.copyfile(tokenizer_json, tmp_path / "tokenizer.json")
    assert convert(tmp_path / "tokenizer.json", tmp_path)
    spec = json.loads((tmp_path / "tokenizer.json").read_text(encoding="utf-8"))
    spec["model"]["vocab"][5][1] = 0.0  # "." becomes the likeliest piece: different ids
    (tmp_path / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    before = (tmp_path / META_NAME).read_text(encoding="utf-8")
    reloaded = load_tokenizer(tmp_path, tmp_path / "tokenizer.json", max_length=MAX_LENGTH, pad_id=1, pad_token="<pad>")
    assert (tmp_path / META_NAME).read_text(encoding="utf-8") != before
    assert isinstance(reloaded, SentencePieceTokenizer)
