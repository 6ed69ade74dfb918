"""Theme, stylesheet and page script of the chat, kept in Python so they ship with the package.

Fonts are the reader's own system fonts: nothing is fetched from a font service (intranet, no tracking).
"""

from __future__ import annotations

import json

import gradio as gr

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]

THEME = gr.themes.Default(
    primary_hue=gr.themes.colors.blue,
    neutral_hue=gr.themes.colors.slate,
    font=SYSTEM_FONTS,
    font_mono=MONO_FONTS,
    radius_size=gr.themes.sizes.radius_sm,
).set(
    button_primary_background_fill="#154273",
    button_primary_background_fill_hover="#1c5596",
    button_primary_text_color="#ffffff",
    button_primary_background_fill_dark="#2f6fb0",  # white on it: 5.2:1
    button_primary_background_fill_hover_dark="#255c94",
    # Gradio's slate-400 for softer text and placeholders is 2.56:1 on white; WCAG AA needs 4.5:1
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_400",
    input_placeholder_color="*neutral_500",
    input_placeholder_color_dark="*neutral_400",
)

CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto !important; }
.awt-header { background: #154273; color: #fff; padding: 1rem 1.25rem; border-radius: 6px; }
.awt-header h1 { margin: 0 0 .4rem; font-size: 1.5rem; color: #fff !important; line-height: 1.25; }
.awt-header .awt-header-sub { display: block; font-size: 1rem; font-weight: 400; color: #dbe7f5 !important; }
.awt-header p { margin: .3rem 0 0; color: #fff !important; max-width: 62rem; line-height: 1.45; }
.awt-header ul { margin: .3rem 0 0 1.2rem; padding: 0; }
.awt-header li { color: #fff !important; line-height: 1.45; }
.awt-doc-list { margin: 0; padding-left: 1.1rem; }
.awt-doc-list li { margin: 0 0 .45rem; line-height: 1.4; }
/* Gradio prefixes only the first selector of a ".dark a, .dark b" list: dark colours are variables set once */
body { --awt-pill-text: #154273; --awt-pill-border: #9ab6d6; --awt-pill-hover: #eef4fb;
  --awt-pill-hover-border: #154273; --awt-focus: #b45309; }
.dark { --awt-pill-text: #bfdbfe; --awt-pill-border: #3b5f8a; --awt-pill-hover: #1e3a5f;
  --awt-pill-hover-border: #bfdbfe; --awt-focus: #fbbf24; }
.awt-examples-title { margin: .1rem 0 0; font-weight: 600; font-size: .9rem; }
.awt-examples { gap: .4rem !important; flex-wrap: wrap !important; }
.awt-examples button, .awt-tools button, .awt-context-btn {
  flex: 0 1 auto !important; min-width: 0 !important; width: auto !important; white-space: normal !important;
  background: var(--background-fill-primary) !important; color: var(--awt-pill-text) !important;
  border: 1px solid var(--awt-pill-border) !important; border-radius: 999px !important; padding: .3rem .8rem !important;
  font-weight: 500 !important; box-shadow: none !important; }
.awt-examples button:hover, .awt-tools button:hover, .awt-context-btn:hover {
  background: var(--awt-pill-hover) !important; border-color: var(--awt-pill-hover-border) !important; }
.awt-context-btn { align-self: flex-start !important; margin: 0 .7rem .7rem !important; }
.awt-tools { justify-content: flex-start !important; }
.awt-marker { font-weight: 600; color: #154273; white-space: nowrap; }
.dark .awt-marker { color: #93c5fd; }
.awt-notice { border-left: 4px solid #1c5596; background: #eef4fb; color: #12324f; padding: .4rem .6rem;
  margin-bottom: .5rem; border-radius: 3px; font-size: .92em; }
.awt-refusal { border: 1px solid #c2410c; border-left-width: 6px; background: #fff7ed; color: #431407;
  padding: .5rem .75rem; border-radius: 4px; }
.awt-refusal-title { display: block; font-weight: 700; color: #9a3412; margin-bottom: .15rem; }
.awt-system { border-left: 4px solid #b45309; background: #fffbeb; color: #451a03; padding: .4rem .6rem;
  border-radius: 3px; }
.dark .awt-notice { background: #172554; color: #dbeafe; }
.dark .awt-refusal { background: #431407; color: #ffedd5; }
.dark .awt-refusal-title { color: #fdba74; }
.dark .awt-system { background: #451a03; color: #fef3c7; }
.awt-muted { color: var(--body-text-color-subdued); margin: 0 0 .25rem; font-size: .92rem; }
.awt-source { margin-bottom: .6rem !important; border: 1px solid var(--border-color-primary) !important;
  border-left: 4px solid #154273 !important; border-radius: 4px !important;
  background: var(--background-fill-primary) !important; }
.awt-source .awt-source { border: 0 !important; margin: 0 !important; border-radius: 0 !important; }
.awt-source > div, .awt-source .html-container, .awt-source .block { background: transparent !important; }
.awt-source-head { margin: .6rem .7rem .2rem; }
.awt-quote { margin: .2rem .7rem .5rem; padding: .1rem 0 .1rem .65rem; border-left: 3px solid #9ab6d6;
  font-style: italic; }
.awt-doc { max-height: 60vh; overflow-y: auto; padding: .25rem .5rem .5rem 0; }
.awt-doc-caption { font-weight: 600; margin: 0 0 .5rem; }
.awt-doc-text { white-space: pre-wrap; line-height: 1.55; }
.awt-doc mark { background: #ffe066; color: #111; padding: .05em .1em; border-radius: 2px;
  outline: 2px solid #e0a800; scroll-margin: 4rem; }
.awt-doc mark:focus { outline: 3px solid #154273; }
.awt-sr-only { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; white-space: nowrap !important; border: 0 !important;
  padding: 0 !important; }
#awt-chatbot .message-wrap .message { line-height: 1.5; }
#awt-send { white-space: nowrap; }
.awt-ask-row { align-items: flex-end !important; }
/* focus rings of at least 3:1 against the page (WCAG 1.4.11), on every control including the question box */
button:focus-visible, [role="button"]:focus-visible, .awt-doc:focus-visible, #awt-chatbot [role="log"]:focus-visible {
  outline: 3px solid var(--awt-focus) !important; outline-offset: 2px; }
#awt-question textarea:focus-visible { outline: 3px solid var(--awt-focus) !important; outline-offset: 1px; }
footer { display: none !important; }
@media (max-width: 640px) {
  .gradio-container { padding: .4rem !important; }
  .awt-header { padding: .75rem .85rem; }
  .awt-header h1 { font-size: 1.2rem; }
  .awt-header p { font-size: .9rem; }
  #awt-chatbot { height: 55vh !important; }
  .awt-ask-row { flex-wrap: wrap !important; }
  .awt-ask-row > * { min-width: 100% !important; }
}
"""

# Gradio's own texts that its Dutch locale leaves in English: status messages shown on screen…
_TEXTS = {
    "This application is currently busy. Please try again.": (
        "Het is op dit moment erg druk. Even geduld alstublieft: probeer het over enkele seconden opnieuw."
    ),
    "Connection errored out.": "De verbinding met de server is verbroken. Laad de pagina opnieuw.",
    "Could not resolve app config.": "De pagina kon niet worden geladen. Laad de pagina opnieuw.",
    "Loading content": "Antwoord wordt geladen",
}
# …and labels read by screen readers.
_LABELS = {
    "chatbot conversation": "Gesprek",
    "Copy message": "Kopieer bericht",
    "Copied message": "Bericht gekopieerd",
    "Like": "Goed antwoord",
    "Dislike": "Geen goed antwoord",
    "Liked": "Beoordeeld als goed antwoord",
    "Disliked": "Beoordeeld als geen goed antwoord",
    "Vind ik leuk": "Goed antwoord",
    "Vind ik niet leuk": "Geen goed antwoord",
    "Close": "Sluiten",
}
# A message's aria-label repeats its Markdown source on a plain div, where screen readers ignore it: each message
# becomes an article named after who speaks, and its rendered text is read as it is.
_PREFIXES = {"user's message: ": "Uw vraag", "bot's message: ": "Antwoord"}
# Titles of Gradio's toasts (gr.Warning, gr.Info), which its Dutch locale leaves in English.
_TOAST_TITLES = {"Warning": "Let op", "Info": "Melding", "Error": "Fout", "Success": "Gelukt"}

JS = """
() => {
  document.documentElement.lang = 'nl';
  const texts = %s, labels = %s, prefixes = %s, toastTitles = %s;
  const fixElement = (el) => {
    for (const attr of ['aria-label', 'title']) {
      const value = el.getAttribute(attr);
      if (!value) continue;
      if (labels[value]) { el.setAttribute(attr, labels[value]); continue; }
      for (const [en, nl] of Object.entries(prefixes)) {
        if (!value.startsWith(en)) continue;
        el.setAttribute(attr, nl);
        el.setAttribute('role', 'article');
      }
    }
  };
  // Gradio's accordion buttons do not say whether they are open.
  const syncExpanded = (button) => button.setAttribute('aria-expanded', String(button.classList.contains('open')));
  const fixWidgets = (root) => {
    const all = (selector) => [...(root.matches(selector) ? [root] : []), ...root.querySelectorAll(selector)];
    for (const button of all('.label-wrap')) syncExpanded(button);
    // One live region speaks for the chat: #awt-status says "Bezig met antwoorden…", then the whole answer once.
    // Gradio's block around it also holds its progress text ("queue: 1/1 | 0.2s"), so the role goes on the inside.
    for (const inner of all('#awt-status .html-container:not([role])')) {
      inner.setAttribute('role', 'status');
      inner.setAttribute('aria-live', 'polite');
      inner.setAttribute('aria-atomic', 'true');
    }
    // The conversation is a log that Gradio makes live: the streamed answer would be read out in two dozen
    // fragments, and its "loading" bubble is another live region. It scrolls: without feedback buttons nothing
    // in it takes focus, so it must, or keyboards could not scroll it.
    for (const log of all('#awt-chatbot [role="log"]')) {
      log.setAttribute('aria-live', 'off');
      if (!log.hasAttribute('tabindex')) log.setAttribute('tabindex', '0');
    }
    for (const pending of all('#awt-chatbot [role="status"]')) {
      for (const attr of ['role', 'aria-label']) pending.removeAttribute(attr);
      pending.setAttribute('aria-live', 'off');
    }
    // Gradio's own announcer repeats ours a few seconds late, as untranslated keys ("common.complete")
    for (const announcer of all('div.sr-only[role="status"]')) {
      announcer.removeAttribute('role');
      announcer.setAttribute('aria-live', 'off');
    }
    for (const icon of all('.label-wrap .icon, .toast-icon, .toast-close > span')) {
      icon.setAttribute('aria-hidden', 'true');
    }
    // a toast's header is a role=button (it folds the message) around the close button: nested controls
    // confuse screen readers; the close button is the one that matters
    for (const header of all('.toast-header[role="button"]')) {
      header.removeAttribute('role');
      header.removeAttribute('tabindex');
    }
    for (const title of all('.toast-title')) {
      const node = title.firstChild;
      if (node && node.nodeType === 3 && toastTitles[node.nodeValue.trim()]) {
        node.nodeValue = toastTitles[node.nodeValue.trim()] + ' ';
      }
    }
  };
  const fix = (root) => {
    if (root.nodeType === 3) root = root.parentNode;
    if (!root || root.nodeType !== 1) return;
    fixElement(root);
    for (const el of root.querySelectorAll('[aria-label], [title]')) fixElement(el);
    fixWidgets(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const value = node.nodeValue.trim();
      for (const [en, nl] of Object.entries(texts)) { if (value.startsWith(en.trim())) node.nodeValue = nl; }
    }
  };
  fix(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'attributes' && change.attributeName === 'class') {
        if (change.target.classList.contains('label-wrap')) syncExpanded(change.target);
      } else if (change.type === 'attributes') fixElement(change.target);
      else if (change.type === 'characterData') fix(change.target);
      else for (const node of change.addedNodes) fix(node);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
                             attributeFilter: ['aria-label', 'title', 'class']});
  // Gradio runs this after the page is usable: a page that embeds the chat (and the browser tests) can wait
  // for this mark to know every later change is translated and silenced before it is announced.
  document.documentElement.dataset.awtA11y = 'on';
}
""" % tuple(json.dumps(d, ensure_ascii=False) for d in (_TEXTS, _LABELS, _PREFIXES, _TOAST_TITLES))  # noqa: UP031 - braces of JS
