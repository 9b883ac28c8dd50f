"""HTML pages: the main content, decoded with the page's own charset.

Saved government pages carry menus, breadcrumbs, related-link lists, cookie banners and footers
around the text. When the page marks its main content (<main>, role="main", or one <article>),
only that is read; everything marked as navigation, or whose class or id says it is a menu,
breadcrumb, related links, share buttons or a feedback form, is left out anywhere. Table rows
become one line each, cells separated by " | ".
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from qa.ingest.plaintext import guess_title
from qa.ingest.registry import Limits, SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import Heading, LoadedDocument

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "button",
              "select", "iframe", "object"}
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
_SKIP_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navigation|menu|breadcrumbs?|related|share|social|cookie|banner|skip-?link|feedback|"
    r"sidebar|site-?header|report-a-problem|print-link|back-to-top)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCK = {"p", "div", "li", "br", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "pre", "table", "ul", "ol", "dt", "dl", "figcaption", "caption", "address", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode_page(raw: bytes) -> str:
    """Bytes -> text: a byte-order mark, else the <meta> charset, else UTF-8, else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    declared = _CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


class _MainText(HTMLParser):
    def __init__(self, main_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.main_only = main_only
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, opens main content)
        self.skipping = 0
        self.in_main = 0
        self.heading: list[str] | None = None
        self.headings: list[str] = []
        self.title = ""
        self._in_title = False
        self._cells_in_row = 0

    @staticmethod
    def opens_main(tag: str, attrs: dict[str, str | None]) -> bool:
        return tag == "main" or attrs.get("role") == "main"

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "title":
            self._in_title = True
            return
        if tag in _VOID:
            if tag in ("br", "hr") and self.reading:
                self.parts.append("\n")
            return
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        # Inside the main content, a <header> holds the page's own title and dates; keep it.
        skip_tag = tag in _SKIP_TAGS and not (tag in ("header", "footer") and self.in_main)
        skip = skip_tag or (attrs.get("role") or "") in _SKIP_ROLES or bool(_SKIP_NAMES.search(names))
        main = self.opens_main(tag, attrs)
        self.stack.append((tag, skip, main))
        self.skipping += skip
        self.in_main += main
        if not self.reading:
            return
        if tag == "tr":
            self.parts.append("\n")
            self._cells_in_row = 0
        elif tag in ("td", "th"):
            if self._cells_in_row:
                self.parts.append(" | ")
            self._cells_in_row += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "dd":  # "Published: 28 May 2010" on one line
            self.parts.append(" ")
        if tag in _HEADINGS:
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if tag in _VOID or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            open_tag, skip, main = self.stack.pop()
            if self.reading and open_tag in _HEADINGS and self.heading is not None:
                self.headings.append(" ".join("".join(self.heading).split()))
                self.heading = None
            if self.reading and (open_tag in _BLOCK or open_tag == "tr") and open_tag != "dt":
                self.parts.append("\n")
            self.skipping -= skip
            self.in_main -= main
            if open_tag == tag:
                break

    @property
    def reading(self) -> bool:
        return not self.skipping and (self.in_main > 0 or not self.main_only)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self.reading:
            if not any(tag == "pre" for tag, _, _ in self.stack):
                data = re.sub(r"\s+", " ", data)  # HTML collapses whitespace; lines come from block tags
            self.parts.append(data)
            if self.heading is not None:
                self.heading.append(data)


def _has_main(html: str) -> bool:
    return re.search(r"<main[\s>]|role\s*=\s*[\"']main[\"']", html, re.IGNORECASE) is not None


@loader(".html", ".htm")
def load_html(path: Path, limits: Limits) -> LoadedDocument:
    raw = read_bytes(path, limits.max_bytes)
    if b"\x00" in raw[:8192]:
        raise SkipFile("binary content in an HTML file")
    html = decode_page(raw)
    parser = _MainText(main_only=_has_main(html))
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in normalize("".join(parser.parts)).split("\n")]
    text = "\n".join(line for line in lines if line and line != "|")
    if not text:
        raise SkipFile("no text in the HTML page")
    headings, cursor = [], 0
    for heading in parser.headings:
        at = text.find(heading, cursor)
        if heading and at >= 0:
            headings.append(Heading(at, heading))
            cursor = at + len(heading)
    # "Controlled drugs list - Publications - GOV.UK": the page's own name comes first.
    page_title = re.split(r"\s+[-|–]\s+", " ".join(parser.title.split()))[0]
    title = page_title or (headings[0].text if headings else "") or guess_title(text, path.stem)
    return LoadedDocument(text, title, headings)
