"""Reading generated PDFs back for assertions: text per page, fonts, images, links."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader


def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def flat(text: str) -> str:
    """Text without any whitespace, to find strings that wrapped across lines."""
    return re.sub(r"\s+", "", text)


def fonts(pdf: bytes) -> list[dict]:
    """Every font resource on every page, with the descriptor it embeds (if any)."""
    found = []
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found.append({
                "name": str(font.get("/BaseFont")),
                "embedded": any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")),
            })
    return found


def has_links_or_images(pdf: bytes) -> bool:
    for page in reader(pdf).pages:
        if "/Annots" in page:
            return True
        xobjects = page["/Resources"].get("/XObject")
        if xobjects and any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values()):
            return True
    return False


def decode_qr(pdf: bytes, page: int = 1) -> list[str]:
    """The QR codes on a page, decoded with poppler's pdftoppm and zbar's zbarimg (apt: poppler-utils,
    zbar-tools; .ci/run installs both). A missing tool fails the test rather than skipping the check."""
    missing = [tool for tool in ("pdftoppm", "zbarimg") if not shutil.which(tool)]
    assert not missing, f"install {missing} (apt-get install poppler-utils zbar-tools) to decode QR codes"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(path),
                        str(Path(tmp) / "page")], check=True, capture_output=True)
        png = next(Path(tmp).glob("page*.png"))
        result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], check=False, capture_output=True, text=True)
        return [line for line in result.stdout.splitlines() if line]


FOOTER_LINES = 2  # "Generated on …" and "Page X of Y", drawn last on every page


def body_text(pdf: bytes) -> str:
    """The text of every page without its letterhead (the lines every page starts with) and footer, joined,
    so that a paragraph flowing from one page to the next reads as one."""
    pages = [text.splitlines() for text in page_texts(pdf)]
    header = 0
    if len(pages) > 1:
        while all(len(lines) > header and lines[header] == pages[0][header] for lines in pages):
            header += 1
    return "\n".join("\n".join(lines[header:len(lines) - FOOTER_LINES]) for lines in pages)
