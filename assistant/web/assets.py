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
    button_primary_background_fill_dark="#3b82c4",
    button_primary_background_fill_hover_dark="#5596d0",
)

CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto !important; }
.awt-header { background: #154273; color: #fff; padding: 1rem 1.25rem; border-radius: 6px; }
.awt-header h1 { margin: 0 0 .4rem; font-size: 1.5rem; color: #fff !important; line-height: 1.25; }
.awt-header .awt-header-sub { display: block; font-size: 1rem; font-weight: 400; color: #dbe7f5 !important; }
.awt-header p { margin: .3rem 0 0; color: #fff !important; max-width: 62rem; line-height: 1.45; }
.awt-examples-title { margin: .1rem 0 0; font-weight: 600; font-size: .9rem; }
.awt-examples { gap: .4rem !important; flex-wrap: wrap !important; }
.awt-examples button, .awt-tools button, .awt-context-btn {
  flex: 0 1 auto !important; min-width: 0 !important; width: auto !important; white-space: normal !important;
  background: var(--background-fill-primary) !important; color: #154273 !important;
  border: 1px solid #9ab6d6 !important; border-radius: 999px !important; padding: .3rem .8rem !important;
  font-weight: 500 !important; box-shadow: none !important; }
.awt-examples button:hover, .awt-tools button:hover, .awt-context-btn:hover { background: #eef4fb !important; border-color: #154273 !important; }
.awt-context-btn { align-self: flex-start !important; margin: 0 .7rem .7rem !important; }
.dark .awt-examples button, .dark .awt-tools button, .dark .awt-context-btn { color: #bfdbfe !important; border-color: #3b5f8a !important; }
.awt-tools { justify-content: flex-start !important; }
.awt-marker { font-weight: 600; color: #154273; white-space: nowrap; }
.dark .awt-marker { color: #93c5fd; }
.awt-notice { border-left: 4px solid #1c5596; background: #eef4fb; color: #12324f; padding: .4rem .6rem;
  margin-bottom: .5rem; border-radius: 3px; font-size: .92em; }
.awt-refusal { border: 1px solid #c2410c; border-left-width: 6px; background: #fff7ed; color: #431407;
  padding: .5rem .75rem; border-radius: 4px; }
.awt-refusal-title { display: block; font-weight: 700; color: #9a3412; margin-bottom: .15rem; }
.awt-system { border-left: 4px solid #b45309; background: #fffbeb; color: #451a03; padding: .4rem .6rem; border-radius: 3px; }
.dark .awt-notice { background: #172554; color: #dbeafe; }
.dark .awt-refusal { background: #431407; color: #ffedd5; }
.dark .awt-refusal-title { color: #fdba74; }
.dark .awt-system { background: #451a03; color: #fef3c7; }
.awt-muted { color: var(--body-text-color-subdued); margin: 0 0 .25rem; font-size: .92rem; }
.awt-source { margin-bottom: .6rem !important; border: 1px solid var(--border-color-primary) !important;
  border-left: 4px solid #154273 !important; border-radius: 4px !important; background: var(--background-fill-primary) !important; }
.awt-source .awt-source { border: 0 !important; margin: 0 !important; border-radius: 0 !important; }
.awt-source > div, .awt-source .html-container, .awt-source .block { background: transparent !important; }
.awt-source-head { margin: .6rem .7rem .2rem; }
.awt-quote { margin: .2rem .7rem .5rem; padding: .1rem 0 .1rem .65rem; border-left: 3px solid #9ab6d6; font-style: italic; }
.awt-doc { max-height: 60vh; overflow-y: auto; padding: .25rem .5rem .5rem 0; }
.awt-doc-caption { font-weight: 600; margin: 0 0 .5rem; }
.awt-doc-text { white-space: pre-wrap; line-height: 1.55; }
.awt-doc mark { background: #ffe066; color: #111; padding: .05em .1em; border-radius: 2px;
  outline: 2px solid #e0a800; scroll-margin: 4rem; }
.awt-doc mark:focus { outline: 3px solid #154273; }
.awt-sr-only { position: absolute !important; width: 1px !important; height: 1px !important; overflow: hidden !important;
  clip: rect(0 0 0 0) !important; white-space: nowrap !important; border: 0 !important; padding: 0 !important; }
#awt-chatbot .message-wrap .message { line-height: 1.5; }
#awt-send { white-space: nowrap; }
.awt-ask-row { align-items: flex-end !important; }
button:focus-visible, [role="button"]:focus-visible { outline: 3px solid #f59e0b !important; outline-offset: 2px; }
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
}
# …and labels read by screen readers (a message's label is replaced by its rendered text, not its Markdown).
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
}
_PREFIXES = {"user's message: ": "Uw vraag: ", "bot's message: ": "Antwoord: "}

JS = """
() => {
  document.documentElement.lang = 'nl';
  const status = document.getElementById('awt-status');  // announced to screen readers: "Antwoord klaar…"
  if (status) { status.setAttribute('role', 'status'); status.setAttribute('aria-live', 'polite'); }
  const texts = %s, labels = %s, prefixes = %s;
  const fixElement = (el) => {
    for (const attr of ['aria-label', 'title']) {
      const value = el.getAttribute(attr);
      if (!value) continue;
      if (labels[value]) { el.setAttribute(attr, labels[value]); continue; }
      for (const [en, nl] of Object.entries(prefixes)) {
        if (!value.startsWith(en)) continue;
        el.setAttribute(attr, nl);  // the text is filled in once it is on screen
        setTimeout(() => {
          if (el.getAttribute(attr) === nl) el.setAttribute(attr, nl + el.textContent.replace(/\\s+/g, ' ').trim());
        }, 30);
      }
    }
  };
  const fix = (root) => {
    if (root.nodeType === 3) root = root.parentNode;
    if (!root || root.nodeType !== 1) return;
    fixElement(root);
    for (const el of root.querySelectorAll('[aria-label], [title]')) fixElement(el);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const value = node.nodeValue.trim();
      for (const [en, nl] of Object.entries(texts)) { if (value.startsWith(en.trim())) node.nodeValue = nl; }
    }
  };
  fix(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'attributes') fixElement(change.target);
      else if (change.type === 'characterData') fix(change.target);
      else for (const node of change.addedNodes) fix(node);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
                             attributeFilter: ['aria-label', 'title']});
}
""" % tuple(json.dumps(d, ensure_ascii=False) for d in (_TEXTS, _LABELS, _PREFIXES))
