"""Command line of the evaluation: ``python -m evals run`` and ``python -m evals calibrate``.

``python -m evals run [--dataset PAD] [--output MAP] [--backend NAAM] [--update-baseline]`` scores a backend on the
gold set; ``python -m evals calibrate [--dataset evals/train.jsonl]`` refits the answer/refuse model.

Exit codes: 0 all thresholds hold and nothing regressed, 1 a threshold or regression failure,
2 unusable input (invalid dataset line, unreadable baseline, unknown judge).

Example::

    $ python -m evals run --backend extractief --output /tmp/eval
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.decision.model import DEFAULT_MODEL_FILE
from evals.baseline import BaselineError
from evals.calibrate import DEFAULT_TRAINING_SET, describe, run_calibration
from evals.dataset import DatasetError
from evals.gate import DEFAULT_TOLERANCE, PROFILES
from evals.judges import UnknownJudgeError
from evals.runner import DEFAULT_BACKEND, DEFAULT_BASELINE, DEFAULT_DATASET, DEFAULT_OUTPUT, RunConfig, run


def build_parser() -> argparse.ArgumentParser:
    """The ``evals`` argument parser (help texts in Dutch)."""
    parser = argparse.ArgumentParser(prog="python -m evals", description="Kwaliteitsevaluatie van de AWT-assistent.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="opdracht")
    run_parser = commands.add_parser("run", help="beantwoord de gold set en schrijf de rapporten")
    run_parser.add_argument(
        "--dataset",
        type=Path,
        default=DEFAULT_DATASET,
        metavar="PAD",
        help="JSONL-bestand met vragen (standaard: %(default)s)",
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
        default=DEFAULT_BASELINE,
        metavar="PAD",
        help="baselinebestand (standaard: %(default)s)",
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
    run_parser.add_argument("--no-progress", action="store_true", help="geen voortgangsbalk op stderr")
    run_parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="gold",
        help="welke drempels: gold (regressiepoort) of blind (blinde sets) (standaard: %(default)s)",
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

    if dataset.name == "gold.jsonl" or dataset.name.startswith("blind"):
        print(f"Fout: {dataset} is een meetset; fit alleen op een trainingsset.", file=sys.stderr)
        return 2
    neutral = ExtractiveBackend(DecisionModel(NEVER, NEVER))  # retrieval only: nothing is answered
    model = run_calibration(dataset, output, build_assistant(Settings(), backend=neutral))
    print(describe(model))
    print(f"Geschreven: {output}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run; returns the exit code."""
    args = build_parser().parse_args(argv)
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
        dataset=args.dataset,
        output=args.output,
        backend=args.backend,
        baseline=args.baseline,
        update_baseline=args.update_baseline,
        tolerance=args.tolerance,
        judges=tuple(args.judge),
        progress=not args.no_progress,
        profile=args.profile,
        documents=tuple(args.documents),
    )
    try:
        return run(config)
    except (DatasetError, BaselineError, UnknownJudgeError) as error:
        print(f"Fout: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
