"""A filing that cites the HRC's interim-measures rule by number warns the lawyer to check it.

LAW.md: "HRC rule 94 (unverified number)". The request to the HRC and a notification of an HRC
measure print "rule 94"; the lawyer must acknowledge the warning before either is generated.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases.actions import record_event
from refuge.filings.checklist import WARNINGS, NotAcknowledged, resolve, warnings
from refuge.filings.facts import CaseFacts
from refuge.filings.options import Contact
from refuge.filings.render import render_filing, render_html
from tests.filings.generation import TODAY, options, pdf_text, turkey_case
from tests.filings.notify_helpers import measured_removal

CODE = "rule_number_unverified"
ACK = frozenset({CODE})
# "rule 94" in any of the filings' languages, whichever case or spacing (the templates print it).
CITES_94 = re.compile(r"(rule|правил[оа]|규칙)\s*94\b", re.IGNORECASE)
PHONE = Contact(name="Alice Fictional", phone="+7 000 000 00 01", name_cyrillic="Алиса Вымышленная")
RU = (
    "Об обеспечительных мерах этот документ ссылается на правило 94 правил процедуры Комитета по правам человека; "
    "Refuge не проверил этот номер: сверьте его с действующими правилами процедуры Комитета до отправки."
)
KO = (
    "이 문서는 임시조치에 관한 자유권규약위원회 절차 규칙 94를 인용합니다. Refuge는 이 번호를 확인하지 않았습니다. "
    "보내기 전에 위원회의 현행 절차 규칙과 대조해 확인하십시오."
)


@pytest.fixture
def tr_case(org, alice):
    """Türkiye, removal to Syria: every forum covers it, no measure, the contact has a telephone."""
    return turkey_case(org, alice)


def _codes(case, kind: str, **kwargs) -> list[str]:
    facts = CaseFacts.of(case, today=TODAY)
    resolved = resolve(facts=facts, kind=kind, options=options(**kwargs))
    return [w.code for w in warnings(facts=facts, kind=kind, resolved=resolved)]


def test_the_text_is_the_one_the_brief_gives():
    assert WARNINGS[CODE] == (
        "This filing cites rule 94 of the Human Rights Committee's rules of procedure for interim measures; "
        "Refuge has not verified that number: check it against the Committee's current rules before sending."
    )


@pytest.mark.parametrize(
    ("kind", "forum", "warned"),
    [("un-interim", "un_hrc", True), ("un-interim", "un_cat", False), ("rule39", "", False)],
)
def test_only_a_request_to_the_hrc_warns(tr_case, kind, forum, warned):
    assert (CODE in _codes(tr_case, kind, forum=forum, power_of_attorney_follows=True)) is warned


@pytest.mark.parametrize(("forum", "warned"), [("un_hrc", True), ("un_cat", False)])
def test_a_notification_warns_when_the_measure_is_the_hrcs(case, alice, forum, warned):
    authority = measured_removal(case, alice, forum)
    assert (CODE in _codes(case, "notify-authority", contact=PHONE, authority=authority)) is warned
    assert CODE not in _codes(case, "client-notice", contact=PHONE)  # it names the committee, not its rule


def test_the_hrc_request_is_refused_until_the_warning_is_acknowledged(tr_case):
    opts = {"forum": "un_hrc", "power_of_attorney_follows": True}
    with pytest.raises(NotAcknowledged) as pending:
        render_filing(case=tr_case, kind="un-interim", lang="en", fmt="pdf", options=options(**opts))
    assert [(w.code, w.text) for w in pending.value.warnings] == [(CODE, WARNINGS[CODE])]
    assert str(pending.value) == f"filing not generated; to acknowledge: {CODE}"
    acknowledged = options(**opts, acknowledged=ACK)
    rendered = render_filing(case=tr_case, kind="un-interim", lang="en", fmt="pdf", options=acknowledged)
    assert "rule 94 of the Committee's rules of procedure" in pdf_text(rendered.content)  # the text stays as it was
    assert rendered.acknowledged == ((CODE, "un_hrc"),)


def test_the_cat_request_and_the_rule39_request_need_no_acknowledgement(tr_case):
    cat = render_filing(
        case=tr_case,
        kind="un-interim",
        lang="en",
        fmt="pdf",
        options=options(forum="un_cat", power_of_attorney_follows=True),
    )
    assert cat.acknowledged == ()
    assert "rule 114 of the Committee's rules of procedure" in pdf_text(cat.content)
    assert render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options()).acknowledged == ()


def test_the_notification_of_an_hrc_measure_is_acknowledged_on_record_with_the_measures_forum(case, alice, tmp_path):
    authority = measured_removal(case, alice, "un_hrc")
    out = tmp_path / "letter.pdf"
    args = ["notify-authority", "--case", case.reference, "--authority", authority.name, "--lang", "ru"]
    args += ["--today", TODAY.isoformat(), "--contact", PHONE.name, "--contact-phone", PHONE.phone]
    args += ["--contact-cyrillic", PHONE.name_cyrillic, "--sender-cyrillic", "Клиника (вымышленная)"]
    with pytest.raises(CommandError) as pending:
        call_command("filing", *args, "-o", str(out))
    message = str(pending.value)
    assert message.startswith("not generated: 1 warning(s) to acknowledge")
    assert f"  - {CODE}: This filing cites rule 94 of the Human Rights Committee's rules of procedure" in message
    assert f"acknowledge: --acknowledge {CODE}" in message
    assert not out.exists()
    call_command("filing", *args, "--acknowledge", CODE, "-o", str(out))
    assert "в порядке правила 94 правил процедуры Комитета" in pdf_text(out.read_bytes())
    [ack] = AuditEvent.objects.filter(type=EventType.FILING_WARNING_ACKNOWLEDGED)
    assert ack.data == {"warning": CODE, "kind": "notify-authority", "forum": "un_hrc", "via": "filing_command"}


@pytest.mark.parametrize(("lang", "text"), [("ru", RU), ("ko", KO)])
def test_the_warning_reads_in_the_lawyers_language(tr_case, lang, text):
    facts = CaseFacts.of(tr_case, today=TODAY)
    resolved = resolve(facts=facts, kind="un-interim", options=options(forum="un_hrc", power_of_attorney_follows=True))
    with translation.override(lang):
        found = warnings(facts=facts, kind="un-interim", resolved=resolved)
    assert [(w.code, w.text) for w in found] == [(CODE, text)]


def test_the_warning_is_raised_exactly_where_a_filing_prints_rule_94(tr_case, case, alice):
    """Parity with the templates: every kind and language rendered, the warning iff the text cites rule 94."""
    seen = []

    def check(subject, kind: str, lang: str, **kwargs) -> None:
        facts = CaseFacts.of(subject, today=TODAY)
        resolved = resolve(facts=facts, kind=kind, options=options(**kwargs), lang=lang)
        warned = CODE in [w.code for w in warnings(facts=facts, kind=kind, resolved=resolved)]
        cites = CITES_94.search(render_html(facts=facts, kind=kind, lang=lang, resolved=resolved)) is not None
        assert warned is cites, (kind, lang, kwargs.get("forum"))
        seen.append(cites)

    for forum in ("un_hrc", "un_cat"):
        check(tr_case, "un-interim", "en", forum=forum, power_of_attorney_follows=True)
    check(tr_case, "rule39", "en")
    authority = measured_removal(case, alice, "un_hrc")
    for lang in ("en", "ru"):
        check(case, "notify-authority", lang, contact=PHONE, authority=authority)
    for lang in ("en", "ru", "ko", "uz", "tg", "ky"):
        check(case, "client-notice", lang, contact=PHONE)
    assert seen.count(True) == 3  # the HRC request and both notifications: the check can fail both ways


def test_an_update_to_the_hrc_does_not_cite_the_rule(db):
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    build_demo(today=date(2026, 3, 11))
    demo = Case.objects.get(reference="DEMO-01")
    record_event(  # the removal the HRC request (e4) spoke of is rescheduled
        case=demo,
        user=None,
        type="removal_scheduled",
        at="2026-03-11T11:00:00+03:00",
        attributes={"removal_at": "2026-03-14T05:00:00+03:00", "destination": "KP", "replaces": "e8"},
    )
    facts = CaseFacts.of(demo, today=TODAY)
    resolved = resolve(facts=facts, kind="removal-update", options=options(contact=PHONE, forum="un_hrc"), lang="en")
    assert resolved.forum == "un_hrc"
    assert CODE not in [w.code for w in warnings(facts=facts, kind="removal-update", resolved=resolved)]
    assert CITES_94.search(render_html(facts=facts, kind="removal-update", lang="en", resolved=resolved)) is None


@time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Europe/Istanbul")), tick=False)
def test_the_review_shows_it_in_the_lawyers_language_and_generates_only_once_ticked(tr_case, alice, client):
    from django.urls import reverse

    alice.language = "ru"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    data = {
        "kind": "un-interim", "lang": "en", "fmt": "pdf", "forum": "un_hrc", "contact_name": "Alice Fictional",
        "contact_phone": "+90 000 000 00 01", "power_of_attorney_follows": "on",
    }  # fmt: skip
    review = client.post(reverse("filing_new", args=[tr_case.code]), data).content.decode()
    assert f'data-warning="{CODE}"' in review
    assert html.escape(RU, quote=False) in review
    refused = client.post(reverse("filing_generate", args=[tr_case.code]), data)
    assert refused.status_code == 422
    assert f'data-warning="{CODE}"' in refused.content.decode()
    assert not tr_case.filings.exists()
    generated = client.post(reverse("filing_generate", args=[tr_case.code]), {**data, "acknowledged": CODE})
    assert generated.status_code == 302
    assert tr_case.filings.get().forum == "un_hrc"
    [ack] = AuditEvent.objects.filter(type=EventType.FILING_WARNING_ACKNOWLEDGED)
    assert ack.data == {"warning": CODE, "kind": "un-interim", "forum": "un_hrc", "via": "wizard"}
