"""The annex bundle: case documents merged after a numbered index, within the Rule 39 Site's limits."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from refuge.cases.actions import store_document
from refuge.cases.models import Document
from refuge.filings.checklist import missing_items
from refuge.filings.pdf import html_to_pdf
from refuge.filings.render import FilingRefused, build_annex_bundle, render_filing
from tests.filings.generation import codes, options, pdf_text, turkey_case

DECISION_TEXT = "The court orders the deportation (fictional decision text)"


def text_pdf(line: str) -> bytes:
    return html_to_pdf(f"<html><body><p>{line}</p></body></html>")


def scanned_pdf() -> bytes:
    """A PDF holding only a picture of a page, as a scanner makes it: no text layer."""
    image = Image.new("RGB", (300, 400), "white")
    ImageDraw.Draw(image).rectangle((30, 30, 270, 60), fill="black")
    out = io.BytesIO()
    image.save(out, format="PDF")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(out, format="PNG")
    return out.getvalue()


def upload(case, user, content: bytes, *, title: str, doc_type: str = "decision") -> Document:
    return store_document(
        case=case,
        user=user,
        content=content,
        filename=f"{doc_type}.bin",
        doc_type=doc_type,
        title=title,
        date=date(2026, 3, 2),
        language="tr",
        events=[],
    )


@pytest.fixture
def tr_case(org, alice):
    return turkey_case(org, alice)


def test_a_rule39_pdf_carries_its_annexes_after_a_numbered_index(tr_case, alice):
    decision = upload(tr_case, alice, text_pdf(DECISION_TEXT), title="Deportation decision")
    appeal = upload(tr_case, alice, text_pdf("Appeal (fictional text)"), title="Appeal", doc_type="appeal")
    rendered = render_filing(
        case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options(annexes=[decision, appeal])
    )
    text = pdf_text(rendered.content)
    request_end = text.index("Annex index")
    assert "Annex 1: Deportation decision (02.03.2026)" in text[:request_end]
    assert "Annex 2: Appeal (02.03.2026)" in text[:request_end]
    assert "Annex 1: Deportation decision (02.03.2026) — 1 page" in text[request_end:]
    assert text.index(DECISION_TEXT) < text.index("Appeal (fictional text)")
    assert text.index("Annex index") < text.index(DECISION_TEXT)
    request_pages = len(PdfReader(io.BytesIO(render_filing(
        case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options()
    ).content)).pages)  # fmt: skip
    assert len(PdfReader(io.BytesIO(rendered.content)).pages) == request_pages + 1 + 2


def test_the_bundle_alone_starts_with_its_index(tr_case, alice):
    decision = upload(tr_case, alice, text_pdf(DECISION_TEXT), title="Deportation decision")
    bundle = build_annex_bundle(documents=[decision])
    reader = PdfReader(io.BytesIO(bundle))
    assert len(reader.pages) == 2
    assert "Annex 1: Deportation decision" in reader.pages[0].extract_text()
    assert DECISION_TEXT in " ".join(reader.pages[1].extract_text().split())


def test_an_image_only_annex_is_refused_for_the_rule39_site_but_may_be_faxed(tr_case, alice):
    scan = upload(tr_case, alice, scanned_pdf(), title="Scanned decision")
    found = missing_items(case=tr_case, kind="rule39", lang="en", options=options(annexes=[scan]))
    assert [m.code for m in found] == ["annex_no_text"]
    assert "annex 1" in found[0].label
    by_fax = render_filing(
        case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options(annexes=[scan], send_by_fax=True)
    )
    assert "Annex 1: Scanned decision" in pdf_text(by_fax.content)
    with pytest.raises(FilingRefused) as refused:
        build_annex_bundle(documents=[scan])
    assert codes(refused.value) == ["annex_no_text"]


def test_an_annex_that_is_not_a_pdf_is_refused(tr_case, alice):
    picture = upload(tr_case, alice, png(), title="Photo of the decision")
    for kind in ("rule39", "un-interim"):
        found = missing_items(
            case=tr_case, kind=kind, lang="en", options=options(annexes=[picture], power_of_attorney_follows=True)
        )
        assert [m.code for m in found] == ["annex_not_pdf"], kind
        assert "image/png" in found[0].label


def test_annexes_over_the_sites_50_mb_are_refused(tr_case, alice):
    decision = upload(tr_case, alice, text_pdf(DECISION_TEXT), title="Deportation decision")
    Document.objects.filter(pk=decision.pk).update(size=51 * 1024 * 1024)
    decision.refresh_from_db()
    found = missing_items(case=tr_case, kind="rule39", lang="en", options=options(annexes=[decision]))
    assert [m.code for m in found] == ["annex_too_large"]
    assert "51.0 MB" in found[0].label
    assert (
        missing_items(case=tr_case, kind="rule39", lang="en", options=options(annexes=[decision], send_by_fax=True))
        == []
    )


def test_another_cases_document_is_no_annex(tr_case, org, alice):
    other = turkey_case(org, alice, reference="TST-TR-002")
    foreign = upload(other, alice, text_pdf(DECISION_TEXT), title="Someone else's decision")
    found = missing_items(case=tr_case, kind="rule39", lang="en", options=options(annexes=[foreign]))
    assert [m.code for m in found] == ["annex_other_case"]


def test_an_attached_power_of_attorney_satisfies_the_un_checklist(tr_case, alice):
    poa = upload(tr_case, alice, text_pdf("Power of attorney (fictional)"), title="Power of attorney",
                 doc_type="power_of_attorney")  # fmt: skip
    rendered = render_filing(case=tr_case, kind="un-interim", lang="en", fmt="pdf", options=options(annexes=[poa]))
    text = pdf_text(rendered.content)
    assert "Power of attorney: attached as Annex 1." in text
    assert "Power of attorney (fictional)" in text


@pytest.mark.parametrize("url", ["http://example.org/logo.png", "https://example.org/x.css", "file:///etc/hostname"])
def test_rendering_never_fetches_a_url(url):
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError):
        html_to_pdf(f'<html><body><img src="{url}"><p>x</p></body></html>')
