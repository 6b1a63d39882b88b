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


def decode_qr(pdf: bytes) -> list[str] | None:
    """The QR codes on page 1, decoded with poppler + zbar; None when those tools are missing."""
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(Path(tmp) / "page")],
                       check=True, capture_output=True)
        png = next(Path(tmp).glob("page*.png"))
        result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], check=False, capture_output=True, text=True)
        return [line for line in result.stdout.splitlines() if line]
