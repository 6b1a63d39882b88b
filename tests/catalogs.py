"""Message catalogs for the tests: compile stale .mo files, and extract the source's msgids as `make extract` does."""
from __future__ import annotations

import os
from fnmatch import fnmatch
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_ROOT / "app" / "translations"
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
# The folders `make extract` skips (its --ignore-dirs). Babel's default would also skip every name starting
# with "_", and with it templates/_macros/.
IGNORE_DIRS = (".*", "__pycache__")


def catalog_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def compile_stale_catalogs() -> list[Path]:
    """Compile every .po whose .mo is missing or older, as `make translations` does; return the .mo files written.

    .mo files are build output (gitignored): compiling here lets `pytest` on a fresh clone, or after a catalog
    edit, test the translations the app will serve. Each file is written whole, then renamed, so a concurrent
    test run never loads half a catalog.
    """
    written = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as f:
            write_mo(f, catalog)  # leaves fuzzy entries out, like `pybabel compile`
        os.replace(partial, mo)
        written.append(mo)
    return written


def extract_source_messages() -> Catalog:
    """The msgids in app/ and templates/, extracted with babel.cfg (methods, keywords) like `make extract`."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(BABEL_CFG))
    template = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, directory_filter=_extracted_dir
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _extracted_dir(path: str) -> bool:
    return not any(fnmatch(os.path.basename(path), pattern) for pattern in IGNORE_DIRS)
