"""HTML to PDF with WeasyPrint: the same page, paginated by the print styles.

Charts are inline SVG, which WeasyPrint draws as vectors. The fetcher allows no
protocol at all, so rendering never reaches a network or a file outside the page.
WeasyPrint needs Debian's pango (`libpango-1.0-0`, `libpangoft2-1.0-0`).
"""

from __future__ import annotations

import logging
from pathlib import Path


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the pango library it needs) is not installed."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint (pip install weasyprint) and Debian's pango "
            "(apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        ) from exc
    return weasyprint


def write_pdf(html: str, path: Path) -> None:
    """Render `html` (a self-contained page) to a PDF file at `path`."""
    weasyprint = _weasyprint()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=())
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, media_type="print")
    document.write_pdf(str(path), pdf_tags=True)
