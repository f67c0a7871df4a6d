"""HTML to PDF through WeasyPrint, offline (fonts from fontconfig, no URL ever fetched); text in a PDF."""

from __future__ import annotations

import io
import logging

# The Debian packages whose fonts render what the templates hold (README, "Filings"; `make fonts`).
FONT_PACKAGES = {"ko": "fonts-noto-cjk", "ru": "fonts-dejavu-core"}


def _fetcher() -> object:
    from weasyprint.urls import URLFetcher  # noqa: PLC0415  # WeasyPrint loads Pango: only when rendering

    # Only data: URLs (inline images). http(s) and file: URLs stop the rendering with
    # FatalURLFetchingError, so a document never reaches out or reads a local file.
    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def print_css(name: str = "filings/documents/print.css") -> str:
    """A print stylesheet kept beside its templates (the filings': A4, fonts, footer)."""
    from django.template.loader import get_template  # noqa: PLC0415  # settings are configured by now

    return str(get_template(name).template.source)  # type: ignore[attr-defined]  # Django's backend


def html_to_pdf(html: str, *, extra_css: tuple[str, ...] = ()) -> bytes:
    """The page as PDF with the filings' print stylesheet, then ``extra_css`` (template names) over it."""
    from weasyprint import CSS, HTML  # noqa: PLC0415  # see _fetcher

    # WeasyPrint narrates each step at INFO; the command's and the server's logs need none of it.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    out = io.BytesIO()
    fetcher = _fetcher()
    styles = [CSS(string=print_css(name), url_fetcher=fetcher) for name in ("filings/documents/print.css", *extra_css)]
    HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(out, stylesheets=styles)
    return out.getvalue()


def pdf_has_text(content: bytes) -> bool:
    """True when some page of the PDF carries extractable text (not an image-only scan)."""
    from pypdf import PdfReader  # noqa: PLC0415  # only when a PDF is read
    from pypdf.errors import PyPdfError  # noqa: PLC0415  # see above

    try:
        reader = PdfReader(io.BytesIO(content))
        return any((page.extract_text() or "").strip() for page in reader.pages)
    except (PyPdfError, ValueError, KeyError):
        return False
