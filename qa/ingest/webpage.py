"""HTML pages: the main text, without scripts, menus, headers, footers and forms."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from qa.ingest.plaintext import guess_title
from qa.ingest.registry import SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import Heading, LoadedDocument


class _MainText(HTMLParser):
    """Text of an HTML page without scripts, styles, menus, headers, footers and forms."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "button"}
    BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
             "blockquote", "pre", "table", "ul", "ol", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.heading: list[str] | None = None
        self.headings: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        role = dict(attrs).get("role") or ""
        if tag in self.SKIP or role in ("navigation", "banner", "contentinfo"):
            self.skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and not self.skipping:
                self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and self.heading is not None:
            self.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)
            if self.heading is not None:
                self.heading.append(data)


@loader(".html", ".htm")
def load_html(path: Path, max_bytes: int) -> LoadedDocument:
    raw = read_bytes(path, max_bytes)
    if b"\x00" in raw[:8192]:
        raise SkipFile("binary content in an HTML file")
    parser = _MainText()
    parser.feed(raw.decode("utf-8", errors="replace"))
    lines = [" ".join(line.split()) for line in normalize("".join(parser.parts)).split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        raise SkipFile("no text in the HTML page")
    headings, cursor = [], 0
    for heading in parser.headings:
        at = text.find(heading, cursor)
        if heading and at >= 0:
            headings.append(Heading(at, heading))
            cursor = at + len(heading)
    title = " ".join(parser.title.split()) or (headings[0].text if headings else guess_title(text, path.stem))
    return LoadedDocument(text, title, headings)
