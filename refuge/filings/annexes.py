"""The annex bundle: chosen case documents merged into one PDF after a numbered annex index."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from refuge.filings.checklist import RULE39_SITE_MAX_BYTES, FilingRefused, annex_items
from refuge.filings.pdf import html_to_pdf

if TYPE_CHECKING:
    from refuge.cases.models import Document


def page_count(content: bytes) -> int:
    from pypdf import PdfReader  # noqa: PLC0415  # only when a PDF is read

    return len(PdfReader(io.BytesIO(content)).pages)


def annex_rows(documents: list[Document]) -> list[dict[str, object]]:
    """What the request and the index say of each annex: its number, title and date."""
    return [
        {"number": n, "title": d.title, "date": d.date.strftime("%d.%m.%Y") if d.date else "", "doc_type": d.doc_type}
        for n, d in enumerate(documents, start=1)
    ]


def build_annex_bundle(*, documents: list[Document], for_site: bool = True, reference: str = "") -> bytes:
    """One PDF: the annex index, then each document in order.

    Refuses (FilingRefused) a document that is not a PDF or belongs to another case; with
    `for_site` (the ECtHR's Rule 39 Site) also image-only PDFs and a bundle over 50 MB.
    """
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415  # only when a PDF is read

    if not documents:
        raise ValueError("an annex bundle needs at least one document")
    case = documents[0].case
    problems = annex_items(documents, case=case, site=for_site)
    if problems:
        raise FilingRefused(problems)
    contents = [d.file.read_plaintext() for d in documents]
    rows = annex_rows(documents)
    for row, content in zip(rows, contents, strict=True):
        row["pages"] = page_count(content)
    index = html_to_pdf(
        render_to_string(
            "filings/documents/annex-index.en.html",
            {"lang": "en", "title": "Annex index", "ref": reference or case.reference, "annexes": rows},
        )
    )
    writer = PdfWriter()
    for part in (index, *contents):
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    bundle = out.getvalue()
    if for_site and len(bundle) > RULE39_SITE_MAX_BYTES:
        raise FilingRefused(annex_items(documents, case=case, site=True, total=len(bundle)))
    return bundle
