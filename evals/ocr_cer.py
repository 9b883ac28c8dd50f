"""OCR character error rate on the hand-transcribed scanned pages.

Each evals/ocr/truth/<pdf-stem>-p<N>.txt is the text of page N of evals/corpus/vi/<pdf-stem>.pdf. For every
configuration the page is rendered, optionally preprocessed, read by Tesseract, and compared with the truth:
CER = Levenshtein distance over characters / truth length, both sides NFC with runs of whitespace collapsed.

    python -m evals.ocr_cer                     # the whole grid (slow: about 25 configurations)
    python -m evals.ocr_cer --config baseline --config recommended
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np
from PIL import Image, ImageFilter

from qa.ingest.ocr import autocontrast, deskew, otsu_threshold, prepare_page, run_tesseract

HERE = Path(__file__).parent
TRUTH = HERE / "ocr" / "truth"
CORPUS = HERE / "corpus" / "vi"
_TRUTH_NAME = re.compile(r"^(?P<stem>.+)-p(?P<page>\d+)$")



class OcrSettings(TypedDict):
    dpi: int
    psm: int
    lang: str


# What evals/ocr/RESULTS.md recommends, together with prepare_page().
RECOMMENDED: OcrSettings = {"dpi": 300, "psm": 3, "lang": "vie"}


# --- measurement ------------------------------------------------------------------------------------------------

def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def levenshtein(a: str, b: str) -> int:
    """Edit distance over characters, one numpy row at a time.

    Within a row, insertions chain left to right: row[j] = min_k(t[k] + j - k), which is a running minimum of
    t[k] - k shifted back by j."""
    if not a or not b:
        return len(a) + len(b)
    codes_b = np.array([ord(c) for c in b], dtype=np.int64)
    offsets = np.arange(len(b) + 1, dtype=np.int64)
    row = offsets.copy()
    for i, char in enumerate(a, start=1):
        cost = (codes_b != ord(char)).astype(np.int64)
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(best - offsets) + offsets
    return int(row[-1])


def cer(truth: str, hypothesis: str) -> float:
    reference = normalize(truth)
    return levenshtein(reference, normalize(hypothesis)) / max(1, len(reference))


# --- preprocessing (Pillow + numpy only) -------------------------------------------------------------------------

def grayscale(image: Image.Image) -> Image.Image:
    return image.convert("L")


def median(image: Image.Image) -> Image.Image:
    return image.convert("L").filter(ImageFilter.MedianFilter(3))


def binarize(image: Image.Image) -> Image.Image:
    gray = np.asarray(image.convert("L"))
    return Image.fromarray(np.where(gray > otsu_threshold(gray), 255, 0).astype(np.uint8))


STEPS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "gray": grayscale, "autocontrast": autocontrast, "median": median, "deskew": deskew, "otsu": binarize,
    "prepare": prepare_page,
}


# --- configurations ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    name: str
    dpi: int = 300
    psm: int = 3
    lang: str = "vie+eng"
    steps: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.dpi} dpi, psm {self.psm}, {self.lang}, " + ("+".join(self.steps) or "no preprocessing")


CLEAN = ("autocontrast", "median")
GRID: list[Config] = [
    Config("baseline"),
    Config("dpi200", dpi=200),
    Config("dpi400", dpi=400),
    Config("psm4", psm=4),
    Config("psm6", psm=6),
    Config("vie", lang="vie"),
    Config("gray", steps=("gray",)),
    Config("autocontrast", steps=("autocontrast",)),
    Config("median", steps=("median",)),
    Config("otsu", steps=("gray", "otsu")),
    Config("deskew", steps=("deskew",)),
    Config("clean", steps=CLEAN),
    Config("clean+otsu", steps=(*CLEAN, "otsu")),
    Config("clean+deskew", steps=(*CLEAN, "deskew")),
    Config("vie-dpi200", dpi=200, lang="vie"),
    Config("vie-dpi400", dpi=400, lang="vie"),
    Config("vie-psm4", psm=4, lang="vie"),
    Config("vie-psm6", psm=6, lang="vie"),
    Config("vie-gray", lang="vie", steps=("gray",)),
    Config("vie-autocontrast", lang="vie", steps=("autocontrast",)),
    Config("vie-deskew", lang="vie", steps=("deskew",)),
    Config("vie-deskew-psm6", psm=6, lang="vie", steps=("deskew",)),
    Config("vie-deskew-dpi400", dpi=400, lang="vie", steps=("deskew",)),
    Config("vie-autocontrast+deskew", lang="vie", steps=("autocontrast", "deskew")),
    Config("recommended", dpi=RECOMMENDED["dpi"], psm=RECOMMENDED["psm"], lang=RECOMMENDED["lang"], steps=("prepare",)),
]


# --- running -----------------------------------------------------------------------------------------------------

def truth_pages(folder: Path = TRUTH) -> list[tuple[str, Path, int]]:
    """(name, pdf, zero-based page index) for every truth file."""
    pages = []
    for path in sorted(folder.glob("*.txt")):
        match = _TRUTH_NAME.match(path.stem)
        if match:
            pages.append((path.stem, CORPUS / f"{match['stem']}.pdf", int(match["page"]) - 1))
    return pages


def render(pdf: Path, index: int, dpi: int) -> Image.Image:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def tesseract(image: Image.Image, psm: int, lang: str) -> str:
    return run_tesseract(image, psm, lang)


def ocr_page(pdf: Path, index: int, config: Config) -> str:
    image = render(pdf, index, config.dpi)
    for step in config.steps:
        image = STEPS[step](image)
    return tesseract(image, config.psm, config.lang)


@dataclass
class Result:
    config: Config
    cers: dict[str, float]
    seconds: float

    @property
    def mean(self) -> float:
        return sum(self.cers.values()) / max(1, len(self.cers))


def evaluate(config: Config, pages: Sequence[tuple[str, Path, int]], dump: Path | None = None) -> Result:
    cers: dict[str, float] = {}
    started = time.perf_counter()
    for name, pdf, index in pages:
        text = ocr_page(pdf, index, config)
        cers[name] = cer((TRUTH / f"{name}.txt").read_text(encoding="utf-8"), text)
        if dump:
            (dump / f"{config.name}--{name}.txt").write_text(text, encoding="utf-8")
    return Result(config, cers, (time.perf_counter() - started) / max(1, len(pages)))


def print_result(result: Result) -> None:
    print(f"\n## {result.config.name}: {result.config.describe()}")
    print(f"mean CER {result.mean:.4f}   {result.seconds:.2f} s/page")
    for name, value in result.cers.items():
        print(f"  {value:.4f}  {name}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", action="append", help="name from the grid (repeatable; default: all)")
    parser.add_argument("--dump", type=Path, help="folder to write each OCR output into")
    args = parser.parse_args(argv)
    known = {config.name: config for config in GRID}
    unknown = sorted(set(args.config or ()) - known.keys())
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    chosen = [known[name] for name in args.config] if args.config else GRID
    pages = truth_pages()
    if not pages:
        parser.error(f"no truth files in {TRUTH}")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    results = []
    for config in chosen:
        results.append(evaluate(config, pages, args.dump))
        print_result(results[-1])
    print("\n| configuration | settings | mean CER | s/page |\n|---|---|---|---|")
    for result in results:
        print(f"| {result.config.name} | {result.config.describe()} | {result.mean:.4f} | {result.seconds:.2f} |")


if __name__ == "__main__":
    main()
