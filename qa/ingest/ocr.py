"""OCR of scanned pages with Tesseract, as measured in evals/ocr/RESULTS.md: render at 300 dpi,
greyscale with a 1% autocontrast, deskew by the projection profile, then `tesseract --psm 3` in
Vietnamese alone when its model is installed (vie+eng doubled the error on Vietnamese pages:
0.79% -> 0.34% character error rate with `vie` and deskew, on 8 hand-transcribed pages).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import time
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

OCR_DPI = 300
# Blank-page check: rendered at 36 dpi a page is about 300x420 pixels and takes a millisecond.
BLANK_CHECK_SCALE = 36 / 72
OCR_PSM = 3
OCR_FIX = "install Tesseract to read them: apt-get install tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng"


def otsu_threshold(gray: np.ndarray) -> int:
    """The grey level that maximises the between-class variance of the histogram."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_low = mass / weight
        mean_high = (total_mass - mass) / (total - weight)
        between = weight * (total - weight) * (mean_low - mean_high) ** 2
    if np.isnan(between).all():  # one grey level only (a blank page): no threshold splits it
        return int(gray.ravel()[0]) if gray.size else 128
    return int(np.nanargmax(between))


def looks_blank(image: Image.Image) -> bool:
    """Nothing on the page: fewer than 1 pixel in 10,000 stands out from the background (dark ink
    on light paper, or light on dark). A scanned blank page costs seconds of OCR for nothing."""
    pixels = np.asarray(image.convert("L"), dtype=np.int16)
    background = int(np.median(pixels))
    return float((np.abs(pixels - background) > 80).mean()) < 1e-4


def autocontrast(image: Image.Image) -> Image.Image:
    # Clip only the lightest 1%: on a sparse page the ink is under 1% of the pixels.
    return ImageOps.autocontrast(image.convert("L"), cutoff=(0, 1))


def skew_angle(image: Image.Image, limit: float = 3.0) -> float:
    """Degrees to rotate (counter-clockwise, as PIL does) so text lines run level: the angle whose
    horizontal projection profile has the largest variance, coarse then fine, on a small ink mask."""
    gray = image.convert("L")
    scale = 1000 / max(gray.size)
    small = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))), Image.Resampling.BILINEAR)
    pixels = np.asarray(small)
    ink = Image.fromarray(np.where(pixels < otsu_threshold(pixels), 255, 0).astype(np.uint8))

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0), dtype=np.float64).sum(axis=1)
        return float(rows.var())

    coarse = max(np.arange(-limit, limit + 1e-9, 0.25), key=score)
    fine = max(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.05), key=score)
    return round(float(fine), 2)


def deskew(image: Image.Image) -> Image.Image:
    angle = skew_angle(image)
    if abs(angle) < 0.05:
        return image
    return image.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


def prepare_page(image: Image.Image) -> Image.Image:
    """Greyscale with a 1% autocontrast stretch, then level. No binarisation and no median filter:
    both cost accuracy (the median filter removes diacritics with the speckle)."""
    return deskew(autocontrast(image))


@cache
def installed_languages() -> frozenset[str]:
    return frozenset(subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split())


def ocr_languages() -> str:
    return "vie" if "vie" in installed_languages() else "eng"


def run_tesseract(image: Image.Image, psm: int = OCR_PSM, lang: str | None = None, timeout: float = 300) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.png"
        image.save(path)
        run = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", lang or ocr_languages(), "--psm", str(psm)], capture_output=True, timeout=timeout
        )
    if run.returncode != 0:
        raise RuntimeError(run.stderr.decode(errors="replace")[:200])
    return run.stdout.decode("utf-8", errors="replace")


_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def ocr_page_image(image: Image.Image, timeout: float = 300) -> str:
    """Read a page in Vietnamese; a page that reads as no Vietnamese at all is read again in English.
    Raises subprocess.TimeoutExpired when Tesseract needs more than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    page = prepare_page(image)
    text = run_tesseract(page, timeout=max(0.1, deadline - time.monotonic()))
    if "eng" in installed_languages() and ocr_languages() != "eng" and text.strip() and not _VIETNAMESE.search(text):
        text = run_tesseract(page, lang="eng", timeout=max(0.1, deadline - time.monotonic()))
    return text


@cache
def _recipe() -> str:
    """What decides the text of a page besides its pixels: this file's code, Tesseract's version
    and the languages it has."""
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30).stdout.split("\n")[0]
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"{code}:{version}:{','.join(sorted(installed_languages()))}"


def _cache_path(image: Image.Image, folder: Path) -> Path:
    digest = hashlib.sha256(f"{_recipe()}:{image.mode}:{image.size}".encode())
    digest.update(image.tobytes())
    key = digest.hexdigest()
    return folder / key[:2] / f"{key}.txt"


def cached_ocr(image: Image.Image, folder: Path | None) -> str | None:
    """The text read from this very page image before, if the cache holds it. A page scanned once
    is never read again when its file goes into another index, or is ingested again after an upgrade
    that renamed the collection (the slowest part of ingesting a scan: seconds a page)."""
    if folder is None:
        return None
    try:
        return _cache_path(image, folder).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, subprocess.SubprocessError):
        return None


def remember_ocr(image: Image.Image, text: str, folder: Path | None) -> None:
    if folder is None:
        return
    try:
        path = _cache_path(image, folder)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        # Private: scanned uploads may be private documents.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            handle.write(text)
        partial.replace(path)  # whole or absent: a crash never leaves half a page
    except (OSError, subprocess.SubprocessError):
        pass  # a cache that cannot be written only costs the next reading
