"""AWT-assistent: answers Dutch questions about the AWT advice, citing the exact passage.

>>> from assistant import build_assistant, Settings
>>> bot = build_assistant(Settings())                    # doctest: +SKIP
>>> bot.ask("Met welke landen moet Nederland samenwerken?").citations[0].label   # doctest: +SKIP
'Aanbeveling 3, stap 6'
"""

from typing import TYPE_CHECKING, Any

from assistant.cpu import apply_cpu_defaults
from assistant.privacy import apply_offline_defaults

apply_offline_defaults()
apply_cpu_defaults()  # before numpy is imported

from assistant.contract import Answer, Citation, Message  # noqa: E402
from assistant.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    from assistant.protocol import Assistant


def build_assistant(settings: Settings | None = None, **options: Any) -> "Assistant":
    """Build the assistant from settings (``options``: see :func:`assistant.service.build_assistant`)."""
    from assistant.service import build_assistant as _build

    return _build(settings, **options)


__all__ = ["Answer", "Citation", "Message", "Settings", "build_assistant"]
