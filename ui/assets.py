"""The page's CSS and its one script. Pass `page_assets()` to `launch()` or `gr.mount_gradio_app()`.

The script only wires the buttons inside the rendered conversation (copy, rate, open a source, example
questions) to hidden Gradio events; it never inserts text into the page.
"""

from __future__ import annotations

from typing import Any

SCRIPT = """
() => {
  const page = window.qaPage = {rate: "", open: "", example: ""};
  const send = (name, value) => {
    page[name] = value;
    const button = document.getElementById(`qa-${name}-send`);
    if (button) button.click();
  };
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return; } catch (error) { /* fall back below */ }
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  };
  // Gradio's image has no alt text: give the page image the caption above it.
  new MutationObserver(() => {
    const image = document.querySelector("#qa-page img:not([alt]), #qa-page img[alt='']");
    const caption = document.querySelector("#qa-viewer-head .qa-caption");
    if (image && caption) image.alt = caption.textContent;
  }).observe(document.body, {childList: true, subtree: true});
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button, a");
    if (!target) return;
    if (target.matches(".qa-copy")) {
      copy(target.dataset.copy).then(() => { target.textContent = target.dataset.done; });
    } else if (target.matches(".qa-rate")) {
      const comment = target.closest(".qa-actions").querySelector(".qa-comment");
      send("rate", JSON.stringify({turn: Number(target.dataset.turn), rating: Number(target.dataset.rating),
                                   comment: comment ? comment.value : ""}));
    } else if (target.matches(".qa-open")) {
      send("open", JSON.stringify({turn: Number(target.dataset.turn), n: Number(target.dataset.n),
                                   view: target.dataset.view}));
    } else if (target.matches(".qa-example")) {
      send("example", target.dataset.question);
    } else if (target.matches("a.qa-cite")) {
      const card = document.getElementById(target.getAttribute("href").slice(1));
      const sources = card && card.closest("details");
      if (sources) sources.open = true;
      if (card) setTimeout(() => card.focus({preventScroll: true}), 0);
    }
  });
}
"""

# Run after the Source panel is filled: bring the quote into view.
SCROLL_TO_QUOTE = """
() => {
  const quote = document.getElementById("qa-document-quote");
  const panel = document.getElementById("qa-viewer-head");
  if (quote) quote.scrollIntoView({block: "center"});
  else if (panel) panel.scrollIntoView({block: "start"});
}
"""

STYLE = """
.qa-visually-hidden, .qa-bridge { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.qa-bridge { display: none !important; }
#qa-chat { min-height: 200px; }
.qa-turn { border-bottom: 1px solid #d0d0d0; padding: 8px 0 12px; }
.qa-who { display: block; font-weight: 600; font-size: 0.85em; color: #333; margin-bottom: 2px; }
.qa-user { background: #eef2ff; border-radius: 8px; padding: 8px 12px; margin: 6px 0; }
.qa-bot { padding: 8px 12px; }
.qa-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.qa-refusal { color: #6b3700; background: #fff4e0; padding: 6px 10px; border-left: 4px solid #b36b00; }
.qa-message { color: #7a1f00; background: #fff0ea; padding: 6px 10px; border-left: 4px solid #b3261e; }
.qa-unsupported { background: #ffe3e3; text-decoration: underline wavy #a00; }
.qa-notice { color: #444; font-size: 0.9em; margin-bottom: 4px; }
.qa-confidence { color: #444; font-size: 0.85em; margin-top: 4px; }
.qa-more { margin-top: 6px; color: #333; }
.qa-more-label { color: #444; font-size: 0.9em; font-weight: 600; }
.qa-thinking { color: #444; font-style: italic; }
.qa-actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 8px; }
.qa-actions button, .qa-card-actions button, .qa-examples button {
  border: 1px solid #1d4ed8; color: #1d4ed8; background: #fff; border-radius: 6px; padding: 4px 10px; cursor: pointer; }
.qa-actions button:focus-visible, .qa-card-actions button:focus-visible, .qa-examples button:focus-visible,
.qa-cite:focus-visible, .qa-card:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.qa-comment { border: 1px solid #666; border-radius: 6px; padding: 4px 8px; min-width: 12em; flex: 1; }
.qa-rated { color: #14532d; }
.qa-cite { color: #1d4ed8; text-decoration: underline; margin-left: 1px; }
.qa-sources { margin: 6px 12px; }
.qa-sources summary { cursor: pointer; font-weight: 600; }
.qa-card { border: 1px solid #999; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.qa-card:target { border-color: #b36b00; box-shadow: 0 0 0 3px #ffd54a; }
.qa-card-where { color: #333; font-size: 0.88em; }
.qa-context { white-space: pre-wrap; font-size: 0.92em; margin-top: 6px; overflow-wrap: anywhere; }
.qa-quote { background: #ffe08a; color: #000; }
.qa-card-actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.qa-document { white-space: pre-wrap; max-height: 60vh; overflow: auto; border: 1px solid #999; padding: 8px;
  font-size: 0.92em; overflow-wrap: anywhere; }
.qa-welcome ul { margin: 4px 0 8px 1.2em; }
.qa-examples { list-style: none; margin-left: 0 !important; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.qa-examples button { text-align: left; }
.qa-table-wrap { overflow-x: auto; }
.qa-docs { border-collapse: collapse; font-size: 0.88em; width: 100%; }
.qa-docs th, .qa-docs td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
#qa-header h1 { font-size: 1.5em; margin: 0; }
/* Contrast of at least 4.5:1 for the primary, stop and tab buttons. */
#qa-ask, #qa-upload { background: #1d4ed8 !important; color: #fff !important; border-color: #1d4ed8 !important; }
#qa-delete, #qa-confirm, #qa-conversation-confirm { background: #b91c1c !important; color: #fff !important;
  border-color: #b91c1c !important; }
button[role="tab"] { color: #333 !important; }
button[role="tab"][aria-selected="true"] { color: #1e3a8a !important; border-color: #1e3a8a !important; font-weight: 600; }
"""


def page_assets() -> dict[str, Any]:
    """The keyword arguments that give the page its style and script."""
    return {"css": STYLE, "js": SCRIPT}
