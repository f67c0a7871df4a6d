"""Notification letters to authorities (Russian, English) and the client's notice (Korean, Russian, English)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refuge.cases.actions import record_event
from refuge.filings.checklist import missing_items
from refuge.filings.kinds import KINDS
from refuge.filings.options import Contact
from refuge.filings.render import FilingRefused, render_filing
from tests.filings.generation import codes, docx_text, options, pdf_text
from tests.filings.notify_helpers import measured_removal

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PHONE = Contact(
    name="Alice Fictional", phone="+7 000 000-00-01", email="alice@example.org", name_cyrillic="Алиса Вымышленная"
)


@pytest.fixture
def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: CI must render filing pages (apt-get install poppler-utils)")
        pytest.skip("pdftoppm is missing (apt-get install poppler-utils)")
    return found


@pytest.fixture
def measured(case, alice):
    """The shared Russian case under a UN HRC measure, with a removal scheduled anyway, and the bailiffs."""
    authority = measured_removal(case, alice, "un_hrc", name="Служба судебных приставов (вымышленная)")
    return case, authority


def test_the_russian_notification_names_the_measure_the_person_and_the_removal(measured):
    case, authority = measured
    opts = options(contact=PHONE, authority=authority, acknowledged=frozenset({"rule_number_unverified"}))
    rendered = render_filing(case=case, kind="notify-authority", lang="ru", fmt="pdf", options=opts)
    text = pdf_text(rendered.content)
    assert len(CYRILLIC.findall(text)) > 200
    assert "Службе судебных приставов (вымышленной)" in text
    assert "Отправитель: Алиса Вымышленная, Клиника (вымышленная)" in text
    assert "Уведомление о временной мере, запрещающей выдворение" in text
    assert "5 марта 2026 г. Комитет ООН по правам человека в порядке правила 94 правил процедуры Комитета" in text
    # His name as written in Cyrillic, and his nationality without declining a country's name.
    assert "Тестов Фиктив (01.01.1980 г. р., гражданство: Корейская Народно-Демократическая Республика)" in text
    assert "Государство, в которое высылка запрещена: Корейская Народно-Демократическая Республика." in text
    assert "12.03.2026 06:30 (МСК)" in text
    assert "Europe" not in text
    assert "до особого распоряжения" in text
    assert rendered.filename == "notify-authority-TST-2026-001-ru.pdf"
    docx = render_filing(case=case, kind="notify-authority", lang="ru", fmt="docx", options=opts)
    assert "Службе судебных приставов (вымышленной)" in docx_text(docx.content)


def test_the_english_notification_says_the_same(measured):
    case, authority = measured
    opts = options(contact=PHONE, authority=authority, acknowledged=frozenset({"rule_number_unverified"}))
    text = pdf_text(render_filing(case=case, kind="notify-authority", lang="en", fmt="pdf", options=opts).content)
    assert "on 5 March 2026 the UN Human Rights Committee, under rule 94 of the Committee's rules of procedure" in text
    assert "not to remove Testov Fiktiv, born 01.01.1980" in text
    assert "to Democratic People's Republic of Korea while his case is under consideration" in text
    assert "scheduled for 12 March 2026 at 06:30 (Europe/Moscow, UTC+03:00)" in text


def test_a_notification_needs_an_addressee_and_a_measure(case):
    found = missing_items(case=case, kind="notify-authority", lang="ru", options=options(contact=PHONE))
    assert [m.code for m in found] == ["authority", "interim_measure"]


def test_a_lifted_measure_is_not_notified(measured, alice):
    case, authority = measured
    record_event(
        case=case,
        user=alice,
        type="interim_measure_lifted",
        at="2026-03-07T12:00:00+01:00",
        attributes={"forum": "un_hrc"},
    )
    found = missing_items(case=case, kind="notify-authority", lang="ru", options=options(authority=authority))
    assert [m.code for m in found] == ["interim_measure"]


def test_the_korean_notice_is_in_hangul_and_renders_on_the_page(measured, pdftoppm, tmp_path):
    case, _ = measured
    assert KINDS["client-notice"].lang_for(case.person.languages) == "ko"
    rendered = render_filing(case=case, kind="client-notice", lang="ko", fmt="pdf", options=options(contact=PHONE))
    text = pdf_text(rendered.content)
    assert len(HANGUL.findall(text)) > 200
    assert "변호사와 통역인 없이는 아무것도 서명하지 마십시오" in text
    assert "전화번호: +7 000 000-00-01" in text
    assert "유엔 자유권규약위원회" in text
    assert "Testov" not in text and "Тестов" not in text  # a notice for him carries no name to be found on him
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(rendered.content)
    subprocess.run(  # noqa: S603  # a fixed tool on our own file
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    assert not_blank(png)


def test_the_korean_notice_as_docx_holds_the_same_hangul(measured):
    case, _ = measured
    rendered = render_filing(case=case, kind="client-notice", lang="ko", fmt="docx", options=options(contact=PHONE))
    text = docx_text(rendered.content)
    assert "변호사와 통역인 없이는 아무것도 서명하지 마십시오" in text.splitlines()
    assert "• 당신은 이해하는 언어로 통역을 받을 권리가 있습니다." in text.splitlines()


def not_blank(png: Path) -> bool:
    """Enough dark pixels, spread over the page: glyphs were drawn (tofu boxes would be few and alike)."""
    from PIL import Image, ImageStat

    with Image.open(io.BytesIO(png.read_bytes())) as image:
        grey = image.convert("L")
        stat = ImageStat.Stat(grey)
        dark = sum(grey.histogram()[:128])
    return stat.stddev[0] > 10 and dark > 2000


def test_a_blank_page_is_seen_as_blank(tmp_path):
    from PIL import Image

    path = tmp_path / "white.png"
    Image.new("RGB", (400, 560), "white").save(path)
    assert not not_blank(path)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("ru", "Ничего не подписывайте без адвоката и переводчика"),
        ("en", "Do not sign anything without your lawyer and an interpreter"),
    ],
)
def test_the_notice_in_russian_and_english(measured, lang, line):
    case, _ = measured
    text = pdf_text(
        render_filing(case=case, kind="client-notice", lang=lang, fmt="pdf", options=options(contact=PHONE)).content
    )
    assert line in text
    assert "+7 000 000-00-01" in text


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "uz",
            [
                "Advokatingiz va tarjimonsiz hech narsaga imzo qoʻymang",
                "BMTning Inson huquqlari qoʻmitasi",
                "Koreya Xalq Demokratik Respublikasi hududiga",
                "2026-yil 12-mart 06:30 (mahalliy vaqt)",
            ],
        ),
        (
            "tg",
            [
                "Бе адвокат ва тарҷумон ба ҳеҷ чиз имзо нагузоред",
                "Кумитаи СММ оид ба ҳуқуқи инсон",
                "ба Ҷумҳурии Халқӣ-Демократии Корея нафиристад",
                "12 марти соли 2026 06:30 (вақти маҳаллӣ)",
            ],
        ),
        (
            "ky",
            [
                "Адвокатыңыз жана котормочу жок эч нерсеге кол койбоңуз",
                "БУУнун Адам укуктары боюнча комитети",
                "Корея Элдик Демократиялык Республикасы аймагына",
                "2026-жылдын 12-марты 06:30 (жергиликтүү убакыт)",
            ],
        ),
    ],
)
def test_the_notice_in_uzbek_tajik_and_kyrgyz(measured, lang, lines):
    """The languages of most clients after Korean: his rights, the measure and the removal's date in his words."""
    case, _ = measured
    assert KINDS["client-notice"].lang_for(["ar", lang, "ru"]) == lang
    rendered = render_filing(case=case, kind="client-notice", lang=lang, fmt="pdf", options=options(contact=PHONE))
    text = " ".join(pdf_text(rendered.content).split())
    for line in lines:
        assert line in text
    assert "+7 000 000-00-01" in text
    assert "{" not in text and "}" not in text  # no placeholder left unrendered
    assert not re.search(r"\b(the|and|your|lawyer|interpreter|removal)\b", text, flags=re.I)
    assert "Testov" not in text and "Тестов" not in text
    docx = docx_text(
        render_filing(case=case, kind="client-notice", lang=lang, fmt="docx", options=options(contact=PHONE)).content
    )
    assert lines[0] in docx.splitlines()


def test_the_notice_needs_a_number_he_can_call(case):
    with pytest.raises(FilingRefused) as refused:
        render_filing(
            case=case,
            kind="client-notice",
            lang="ko",
            fmt="pdf",
            options=options(contact=Contact(name="Alice Fictional", email="alice@example.org")),
        )
    assert codes(refused.value) == ["contact_phone"]


def test_the_notice_falls_back_to_english_for_other_languages():
    assert KINDS["client-notice"].lang_for(["ar", "ru"]) == "ru"
    assert KINDS["client-notice"].lang_for(["ar"]) == "en"
