"""Command line of the evaluation: ``python -m evals run`` and ``python -m evals calibrate``.

``python -m evals run [--dataset PAD] [--output MAP] [--backend NAAM] [--update-baseline]`` scores a backend on the
gold set; ``python -m evals run --profile library`` on the multi-document gold set (``evals/gold-library.jsonl``,
its own baseline ``evals/baseline-library.json``) with the documents of :mod:`evals.library` generated and loaded
next to the shipped advice; ``python -m evals library MAP [--text MAP]`` writes those documents (and plain-text
renderings with their citation labels); ``python -m evals calibrate [--dataset evals/train.jsonl]`` refits the
answer/refuse model.

Exit codes: 0 all thresholds hold and nothing regressed, 1 a threshold or regression failure,
2 unusable input (invalid dataset line, unreadable baseline, unknown judge).

Example::

    $ python -m evals run --backend extractief --output /tmp/eval
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from assistant.decision.model import DEFAULT_MODEL_FILE
from evals.baseline import BaselineError
from evals.calibrate import DEFAULT_TRAINING_SET, describe, run_calibration
from evals.dataset import DatasetError
from evals.gate import DEFAULT_TOLERANCE, PROFILES
from evals.judges import UnknownJudgeError
from evals.library import write_library
from evals.runner import (
    DEFAULT_BACKEND,
    DEFAULT_BASELINE,
    DEFAULT_DATASET,
    DEFAULT_OUTPUT,
    LIBRARY_PROFILE,
    LIBRARY_PROFILES,
    PROFILE_BASELINES,
    PROFILE_DATASETS,
    RunConfig,
    run,
)


def build_parser() -> argparse.ArgumentParser:
    """The ``evals`` argument parser (help texts in Dutch)."""
    parser = argparse.ArgumentParser(prog="python -m evals", description="Kwaliteitsevaluatie van de AWT-assistent.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="opdracht")
    run_parser = commands.add_parser("run", help="beantwoord de gold set en schrijf de rapporten")
    run_parser.add_argument(
        "--dataset",
        type=Path,
        default=None,
        metavar="PAD",
        help=f"JSONL-bestand met vragen (standaard: {DEFAULT_DATASET}; met --profile {LIBRARY_PROFILE}: "
        f"{PROFILE_DATASETS[LIBRARY_PROFILE]})",
    )
    run_parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        metavar="MAP",
        help="map voor de resultaten (standaard: %(default)s)",
    )
    run_parser.add_argument(
        "--backend",
        default=DEFAULT_BACKEND,
        metavar="NAAM",
        help="backend van de assistent (standaard: %(default)s)",
    )
    run_parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="PAD",
        help=f"baselinebestand (standaard: {DEFAULT_BASELINE}; met --profile {LIBRARY_PROFILE}: "
        f"{PROFILE_BASELINES[LIBRARY_PROFILE]})",
    )
    run_parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="schrijf de huidige waarden als nieuwe baseline voor deze backend",
    )
    run_parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        metavar="GETAL",
        help="hoeveel slechter dan de baseline een metriek mag worden (standaard: %(default)s)",
    )
    run_parser.add_argument(
        "--judge",
        action="append",
        default=[],
        metavar="NAAM",
        help="geregistreerde LLM-beoordelaar (herhaalbaar)",
    )
    run_parser.add_argument(
        "--documents",
        type=Path,
        action="append",
        default=[],
        metavar="MAP",
        help="map met extra documenten die voor deze run aan de kennis worden toegevoegd (herhaalbaar)",
    )
    run_parser.add_argument(
        "--library",
        action="store_true",
        help="laad ook de gegenereerde documenten van evals/library (vanzelf met --profile library of blind-library)",
    )
    run_parser.add_argument("--no-progress", action="store_true", help="geen voortgangsbalk op stderr")
    run_parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="gold",
        help="welke drempels: gold (regressiepoort), blind (blinde sets), library (meerdere documenten: laadt ook "
        "de gegenereerde documenten van evals/library) of blind-library (de blinde set met meerdere documenten, "
        "met dezelfde documenten) (standaard: %(default)s)",
    )
    library_parser = commands.add_parser(
        "library", help="schrijf de gegenereerde documenten van de evaluatie met meerdere documenten"
    )
    library_parser.add_argument("folder", type=Path, metavar="MAP", help="map voor de documenten")
    library_parser.add_argument(
        "--text",
        type=Path,
        default=None,
        metavar="MAP",
        help="schrijf ook een tekstversie van elk document (met het AWT-advies) met de labels van zijn passages",
    )
    calibrate_parser = commands.add_parser(
        "calibrate", help="fit het beslismodel (antwoorden of weigeren) op de trainingsset"
    )
    calibrate_parser.add_argument(
        "--dataset",
        type=Path,
        default=DEFAULT_TRAINING_SET,
        metavar="PAD",
        help="trainingsset, nooit de gold set of een blinde set (standaard: %(default)s)",
    )
    calibrate_parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_MODEL_FILE,
        metavar="PAD",
        help="modelbestand (standaard: het meegeleverde, %(default)s)",
    )
    return parser


def _calibrate(dataset: Path, output: Path) -> int:
    from assistant.answer import ExtractiveBackend
    from assistant.decision import NEVER, DecisionModel
    from assistant.service import build_assistant
    from assistant.settings import Settings

    if dataset.name.startswith(("gold", "blind")):
        print(f"Fout: {dataset} is een meetset; fit alleen op een trainingsset.", file=sys.stderr)
        return 2
    neutral = ExtractiveBackend(DecisionModel(NEVER, NEVER))  # retrieval only: nothing is answered
    model = run_calibration(dataset, output, build_assistant(Settings(), backend=neutral))
    print(describe(model))
    print(f"Geschreven: {output}")
    return 0


def _library(folder: Path, text: Path | None) -> int:
    from assistant.settings import Settings
    from evals.library.render import write_renderings

    written = write_library(folder)
    if text is not None:
        with tempfile.TemporaryDirectory(prefix="awt-bibliotheek-") as workdir:
            together = Path(workdir)
            shutil.copytree(Settings().knowledge_dir, together, dirs_exist_ok=True)
            write_library(together)
            written += write_renderings(together, text)
    for path in written:
        print(f"Geschreven: {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "library":
        return _library(args.folder, args.text)
    if args.command == "calibrate":
        try:
            return _calibrate(args.dataset, args.output)
        except DatasetError as error:
            print(f"Fout: {error}", file=sys.stderr)
            return 2
    for folder in args.documents:
        if not folder.is_dir():
            print(f"Fout: de map met extra documenten '{folder}' bestaat niet.", file=sys.stderr)
            return 2
    config = RunConfig(
        dataset=args.dataset or PROFILE_DATASETS.get(args.profile, DEFAULT_DATASET),
        output=args.output,
        backend=args.backend,
        baseline=args.baseline or PROFILE_BASELINES.get(args.profile, DEFAULT_BASELINE),
        update_baseline=args.update_baseline,
        tolerance=args.tolerance,
        judges=tuple(args.judge),
        progress=not args.no_progress,
        profile=args.profile,
        documents=tuple(args.documents),
        library=args.library or args.profile in LIBRARY_PROFILES,
    )
    try:
        return run(config)
    except (DatasetError, BaselineError, UnknownJudgeError) as error:
        print(f"Fout: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
