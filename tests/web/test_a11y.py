"""WCAG 2.1 AA in a real browser: axe-core on every state of ``/`` and ``/embed/`` at phone and desktop width,
and the whole flow by keyboard alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from awt_web_support import ANSWER_TIMEOUT, REPO, LiveServer, ask, wait_until_ready
from playwright.sync_api import expect

from assistant.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

AXE_DIR = REPO / "tests" / "web" / "a11y"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's "needs review" results that were checked by hand (README, "Accessibility"), by axe's reason; any other
# result that needs review fails the test
REVIEWED = {
    "contains only non-text characters": "the ▼ of an accordion, hidden from screen readers",
    "too short to determine": "the × of a toast's close button, hidden from screen readers",
    "partially obscured by another element": "the advice scrolled inside its panel; measured unobscured: 14.6:1",
    "overlapped by another element": "text under a toast for a few seconds; measured without it: it passes",
    "Unable to determine if the visible text is part of the accessible name": "the toast's close button: × is "
    "called Sluiten",
}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ANSWERED = "Wat is de derde aanbeveling?"
REFUSED = "Wat is de hoofdstad van Frankrijk?"
IN_ENGLISH = "What is the second recommendation of the AWT?"  # answered in Dutch, with a notice above it


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """Fails at once, before the model loads, when axe-core is missing: never a silent skip."""
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed: run `npm ci --prefix {AXE_DIR.relative_to(REPO)}` (scripts/test.sh does)"
        )
    return AXE


@pytest.fixture(scope="module")
def server(real_assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real assistant with the default settings, except: one question at a time, so that the test can hold
    the only place and the page says "even geduld" after half a second."""
    from assistant.web import create_app

    app = create_app(
        Settings(data_dir=tmp_path_factory.mktemp("a11y-data"), rate_limit=0, web_concurrency=1),
        assistant=real_assistant,
    )
    app.state.context.limiter.wait_seconds = 0.5
    with LiveServer(app) as live:
        live.app = app  # type: ignore[attr-defined]
        yield live


def run_axe(page: Any, axe_script: Path) -> dict[str, list[dict[str, Any]]]:
    # re-enabled buttons fade back in: measure the colours they end with, not a frame of the fade
    page.wait_for_function("document.getAnimations().every((a) => !(a instanceof CSSTransition))")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          const brief = (items) => items.map((item) => ({
            rule: item.id, impact: item.impact,
            nodes: item.nodes.map((node) => ({target: node.target.join(' '), why: node.failureSummary}))}));
          return {version: axe.version, violations: brief(result.violations), incomplete: brief(result.incomplete)};
        }""",
        WCAG_TAGS,
    )


def ask_while_busy(server: LiveServer, page: Any) -> None:
    """Ask while someone else holds the only place: the chat says "even geduld" and so does a toast."""
    with server.app.state.context.limiter.slot():  # type: ignore[attr-defined]
        box = wait_until_ready(page)
        box.fill(ANSWERED)
        box.press("Enter")
        expect(page.locator("#awt-chatbot .awt-system")).to_contain_text("Even geduld", timeout=ANSWER_TIMEOUT)
        expect(page.get_by_test_id("toast-body")).to_be_visible()
        expect(page.get_by_test_id("textbox")).to_have_value(ANSWERED)  # given back, to ask again later


def walk_states(server: LiveServer, page: Any) -> Iterator[str]:
    """Bring the page into each state in turn, yielding its name once it is on screen."""
    wait_until_ready(page)
    yield "leeg"
    ask(page, ANSWERED)
    expect(page.get_by_role("button", name="Toon [7] in het advies")).to_be_visible()
    yield "antwoord met bronnen"
    page.get_by_role("button", name="Toon [1] in het advies").click()
    expect(page.locator("#awt-passage")).to_be_focused()
    yield "advies in context, passage gemarkeerd"
    expect(ask(page, REFUSED).locator(".awt-refusal")).to_be_visible()
    yield "weigering"
    expect(ask(page, IN_ENGLISH).locator(".awt-notice")).to_be_visible()
    yield "melding boven het antwoord"
    ask_while_busy(server, page)
    yield "even geduld"


@pytest.mark.parametrize(
    ("path", "device", "scheme"),
    [
        ("/", DESKTOP, "light"),
        ("/", PHONE, "light"),
        ("/embed/", DESKTOP, "light"),
        ("/embed/", PHONE, "light"),
        ("/", DESKTOP, "dark"),  # Gradio follows the system's dark mode
        ("/embed/", PHONE, "dark"),
    ],
    ids=["chat-desktop", "chat-phone", "embed-desktop", "embed-phone", "chat-desktop-dark", "embed-phone-dark"],
)
def test_axe_finds_no_wcag_violation_in_any_state(
    axe_script: Path, browser: Any, server: LiveServer, path: str, device: dict[str, Any], scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme, **device)
    page = context.new_page()
    page.goto(server.url + path)
    found: dict[str, Any] = {}
    try:
        for state in walk_states(server, page):
            found[state] = run_axe(page, axe_script)
    finally:
        context.close()
        name = f"axe-{path.strip('/') or 'chat'}-{device['viewport']['width']}-{scheme}.json"
        (REPO / "test-artifacts").mkdir(exist_ok=True)
        (REPO / "test-artifacts" / name).write_text(json.dumps(found, ensure_ascii=False, indent=1))

    assert len(found) == 6, list(found)
    violations = {state: result["violations"] for state, result in found.items() if result["violations"]}
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    unreviewed = {
        state: [
            (item["rule"], node)
            for item in result["incomplete"]
            for node in item["nodes"]
            if not any(reason in node["why"] for reason in REVIEWED)
        ]
        for state, result in found.items()
    }
    assert not any(unreviewed.values()), json.dumps(unreviewed, ensure_ascii=False, indent=1)


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || '').trim(),
                  outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth)};
        }"""
    )


def in_question_box(stop: dict[str, Any]) -> bool:
    return stop["tag"] == "textarea"


def tab_to(page: Any, wanted: Any, *, limit: int = 25, key: str = "Tab") -> list[dict[str, Any]]:
    """Press Tab until ``wanted(focused element)`` holds; returns the stops on the way (the last one included)."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stops.append(focused(page))
        if wanted(stops[-1]):
            return stops
    raise AssertionError(f"not reached by {key} in {limit} steps: {[s['text'] or s['tag'] for s in stops]}")


@pytest.mark.parametrize("path", ["/embed/", "/"])
def test_the_whole_flow_works_by_keyboard_alone(browser: Any, server: LiveServer, path: str) -> None:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(server.url + path)
    wait_until_ready(page)

    # Tab to the question box, type, Enter
    if not in_question_box(focused(page)):  # "/" puts the cursor there itself
        tab_to(page, in_question_box)
    assert focused(page)["outline"] >= 2, "the question box shows no focus ring"
    page.keyboard.type(ANSWERED)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Toon [7] in het advies")).to_be_visible(timeout=ANSWER_TIMEOUT)
    wait_until_ready(page)
    expect(page.get_by_test_id("textbox")).to_be_focused()  # back in the box, ready for a follow-up

    # every "Toon [n] in het advies" is reached in order, each with a visible focus ring
    stops = tab_to(page, lambda stop: stop["text"] == "Toon [1] in het advies")
    for n in range(2, 8):
        stops += tab_to(page, lambda stop, n=n: stop["text"] == f"Toon [{n}] in het advies", limit=1)
    buttons = [stop for stop in stops if stop["tag"] == "button"]
    assert all(stop["outline"] >= 2 for stop in buttons), [s["text"] for s in buttons if s["outline"] < 2]
    tab_to(page, lambda stop: stop["text"] == "Toon [1] in het advies", key="Shift+Tab", limit=6)

    # Enter opens the context view at the passage; Tab then Space bring the cursor back to the question box
    page.keyboard.press("Enter")
    expect(page.locator("#awt-passage")).to_be_focused()
    expect(page.locator("#awt-passage")).to_be_in_viewport()
    expect(page.locator("#awt-document-panel > button")).to_have_attribute("aria-expanded", "true")
    assert focused(page)["outline"] >= 3, "the highlighted passage shows no focus ring"  # 2 px when not focused
    back = tab_to(page, lambda stop: stop["text"] == "Terug naar uw vraag", limit=1)
    assert back[-1]["outline"] >= 2
    page.keyboard.press("Space")
    expect(page.get_by_test_id("textbox")).to_be_focused()
    context.close()


# What a screen reader is handed: the text of every live region (not aria-live="off") each time it changes.
RECORD_LIVE_REGIONS = """() => {
  const LIVE = '[aria-live], [role=status], [role=alert], [role=log]';
  const speaking = (el) => {
    const region = el.closest(LIVE);
    return region && region.getAttribute('aria-live') !== 'off' ? region : null;
  };
  const said = (region) => {
    const text = region.textContent.replace(/\\s+/g, ' ').trim();
    if (text && window.__spoken.at(-1) !== text) window.__spoken.push(text);
  };
  window.__spoken = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      const node = change.target.nodeType === 3 ? change.target.parentElement : change.target;
      const region = node && speaking(node);
      if (region) said(region);
      for (const added of change.addedNodes) {
        if (added.nodeType !== 1) continue;
        for (const inner of [added, ...added.querySelectorAll(LIVE)]) {
          if (inner.matches(LIVE) && speaking(inner) === inner) said(inner);
        }
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_screen_readers_hear_each_answer_once_and_in_dutch(browser: Any, server: LiveServer) -> None:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(server.url + "/embed/")
    wait_until_ready(page)
    page.evaluate(RECORD_LIVE_REGIONS)
    ask(page, ANSWERED)
    expect(page.locator("#awt-status [role=status]")).to_contain_text("België (Vlaanderen)")
    spoken = page.evaluate("window.__spoken")
    regions = page.evaluate(
        """() => [...document.querySelectorAll('[aria-live], [role=status], [role=alert], [role=log]')]
          .filter((el) => el.getAttribute('aria-live') !== 'off').map((el) => el.parentElement.id || el.className)"""
    )
    context.close()

    # the chat speaks through one region (Gradio's log, loading bubble and announcer are silenced); the only
    # other is the caption of the advice, once that panel has been opened ("Gemarkeerd: [1] Aanbeveling 3.")
    assert [region for region in regions if region != "awt-doc-caption"] == ["awt-status"], regions

    assert "Bezig met antwoorden…" in spoken, spoken
    # the streamed answer is not read out piece by piece: once, whole, after how many sources it has
    with_answer = [text for text in spoken if "Werk samen met andere landen" in text]
    assert len(with_answer) == 1, spoken
    assert with_answer[0].startswith("Antwoord klaar, met 7 bronnen. Volgens het advies (Aanbeveling 3)")
    assert not [text for text in spoken if any(en in text for en in ("queue", "processing", "Loading", "common."))], (
        spoken
    )


def test_axe_finds_no_wcag_violation_with_the_document_selector(axe_script: Path, browser: Any, tmp_path: Path) -> None:
    """Two documents (a fake assistant): the selector closed, open, and after a question within one document."""
    from awt_web_support import SECOND_TITLE, FakeAssistant, with_second_document

    from assistant.web import create_app

    app = create_app(Settings(data_dir=tmp_path, rate_limit=0), assistant=with_second_document(FakeAssistant()))
    found: dict[str, Any] = {}
    with LiveServer(app) as live:
        context = browser.new_context(**DESKTOP)
        page = context.new_page()
        try:
            page.goto(live.url + "/")
            wait_until_ready(page)
            found["twee documenten"] = run_axe(page, axe_script)
            selector = page.get_by_role("combobox", name="Vraag over")
            selector.click()
            expect(page.get_by_role("option", name=SECOND_TITLE)).to_be_visible()
            found["keuzelijst open"] = run_axe(page, axe_script)
            page.get_by_role("option", name=SECOND_TITLE).click()
            expect(selector).to_have_value(SECOND_TITLE)
            ask(page, ANSWERED)
            found["antwoord uit één document"] = run_axe(page, axe_script)
        finally:
            context.close()
    violations = {state: result["violations"] for state, result in found.items() if result["violations"]}
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    unreviewed = {
        state: [
            (item["rule"], node)
            for item in result["incomplete"]
            for node in item["nodes"]
            if not any(reason in node["why"] for reason in REVIEWED)
        ]
        for state, result in found.items()
    }
    assert not any(unreviewed.values()), json.dumps(unreviewed, ensure_ascii=False, indent=1)
