"""The answer/refuse decision: one component that every backend uses.

``signals`` turns a retrieval into numbers, ``model`` holds the calibrated weights, ``decide`` gives the verdict
with a reason code (``reasons``) that reaches the user and the log.
"""

from assistant.decision.decide import Verdict, decide, rule_verdict
from assistant.decision.model import NEVER, CalibratedModel, DecisionModel, ModelFileError
from assistant.decision.reasons import EXPLANATIONS, EXPLANATIONS_SEVERAL, Reason, explanation
from assistant.decision.signals import FEATURES, Signals, extract

__all__ = [
    "EXPLANATIONS",
    "EXPLANATIONS_SEVERAL",
    "FEATURES",
    "NEVER",
    "CalibratedModel",
    "DecisionModel",
    "ModelFileError",
    "Reason",
    "Signals",
    "Verdict",
    "decide",
    "rule_verdict",
    "explanation",
    "extract",
]
