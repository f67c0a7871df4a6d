"""`refuge filing KIND --case CODE [--lang xx] -o FILE`: generate a request, letter or notice.

The format follows FILE's extension (.pdf or .docx). When the forum's checklist fails, nothing is
written: the command lists each missing item (code, what, where to fix it) and exits with status 2.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.cases.management.commands.export_case import find_case
from refuge.cases.models import Authority, Case, Document
from refuge.filings.actions import generate_filing
from refuge.filings.facts import CaseFacts
from refuge.filings.kinds import KINDS
from refuge.filings.options import Contact, FilingOptions
from refuge.filings.render import FilingRefused, NotAcknowledged
from refuge.lib.commands import RefugeCommand
from refuge.vault.cli import unseal_here

FORMATS = {".pdf": "pdf", ".docx": "docx"}
USAGE_ERROR = 2


def write_private_bytes(path: Path, content: bytes) -> None:
    """Write a file readable by its owner only (a filing names the client), replacing it whole."""
    path = path.expanduser()
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path(), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find_authority(case: Case, value: str) -> Authority:
    """An authority of the case's organisation by its code or its exact name."""
    authorities = Authority.objects.filter(organisation=case.organisation_id)
    try:
        found = authorities.filter(code=uuid.UUID(value)).first()
    except ValueError:
        found = authorities.filter(name=value).first()
    if found is None:
        raise CommandError(
            gettext("no authority %(name)s in the case's organisation") % {"name": repr(value)}, returncode=USAGE_ERROR
        )
    return found


def find_annex(case: Case, value: str) -> Document:
    try:
        found = Document.objects.filter(case=case, code=uuid.UUID(value)).first()
    except ValueError:
        found = None
    if found is None:
        raise CommandError(
            gettext("no document %(code)s in this case (give its code)") % {"code": repr(value)}, returncode=USAGE_ERROR
        )
    return found


def refusal_text(refused: FilingRefused) -> str:
    """What is missing and how to fix it, in the operator's language (the codes stay as they are)."""
    lines = [gettext("refused: %(count)s item(s) missing") % {"count": len(refused.missing)}]
    fix = gettext("fix:")
    lines += [f"  - {m.code}: {m.label}\n      {fix} {m.fix}" for m in refused.missing]
    return "\n".join(lines)


def acknowledgement_text(pending: NotAcknowledged) -> str:
    lines = [gettext("not generated: %(count)s warning(s) to acknowledge") % {"count": len(pending.warnings)}]
    acknowledge = gettext("acknowledge:")
    lines += [f"  - {w.code}: {w.text}\n      {acknowledge} --acknowledge {w.code}" for w in pending.warnings]
    return "\n".join(lines)


class Command(RefugeCommand):
    help = gettext_noop("Generate a filing (rule39, un-interim, notify-authority, client-notice) as PDF or DOCX.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help=gettext("what to generate"))
        parser.add_argument("--case", required=True, metavar="CODE", help=gettext("the case's code or reference"))
        parser.add_argument("--organisation", help=gettext("the organisation, when a reference is used in several"))
        parser.add_argument(
            "--lang", help=gettext("the language (default: the kind's; for client-notice, his language)")
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help=gettext("FILE.pdf or FILE.docx (mode 600)")
        )
        parser.add_argument(
            "--contact", metavar="NAME", help=gettext("person to contact (default: the team's first lawyer)")
        )
        parser.add_argument(
            "--contact-cyrillic",
            default="",
            metavar="NAME",
            help=gettext("the contact's name in Cyrillic (Russian letters)"),
        )
        parser.add_argument("--contact-phone", default="", metavar="PHONE")
        parser.add_argument("--contact-email", default="", metavar="EMAIL")
        parser.add_argument("--authority", metavar="NAME|CODE", help=gettext("notify-authority: the addressee"))
        parser.add_argument("--grounds", default="", help=gettext("the grounds (default: derived from the case)"))
        parser.add_argument("--annex", action="append", default=[], metavar="DOCUMENT", help=gettext("a document code"))
        parser.add_argument(
            "--forum",
            choices=["echr", "un_cat", "un_hrc"],
            default="",
            help=gettext("un-interim: the committee; removal-update: the forum to tell"),
        )
        fax = parser.add_mutually_exclusive_group()
        fax.add_argument("--fax", dest="send_by_fax", action="store_true", default=None, help=gettext("rule39: by fax"))
        fax.add_argument("--no-fax", dest="send_by_fax", action="store_false", help=gettext("rule39: the Rule 39 Site"))
        parser.add_argument("--application-number", default="")
        parser.add_argument("--power-of-attorney-follows", action="store_true")
        parser.add_argument(
            "--despite-unavailable",
            action="store_true",
            help=gettext(
                "rule39: file although the ECtHR does not cover the act as the engine reads it (ECHR art. 58)"
            ),
        )
        parser.add_argument(
            "--sender", default="", help=gettext("the organisation's name as signed (default: its name)")
        )
        parser.add_argument(
            "--sender-cyrillic", default="", help=gettext("the organisation's name in Cyrillic (default: as recorded)")
        )
        parser.add_argument(
            "--outgoing-number",
            default="",
            help=gettext("a letter's outgoing number (default: REFERENCE/next version)"),
        )
        parser.add_argument(
            "--no-sources",
            action="store_true",
            help=gettext("leave the events' sources out of the facts (default: stated)"),
        )
        parser.add_argument(
            "--note",
            action="append",
            default=[],
            metavar="EVENT",
            help=gettext("state this event's note (an event id)"),
        )
        parser.add_argument(
            "--acknowledge",
            action="append",
            default=[],
            metavar="WARNING",
            help=gettext("acknowledge a warning of the review (its code), as the wizard's tick box does"),
        )
        parser.add_argument("--today", type=date.fromisoformat, help=gettext("the date of the filing (YYYY-MM-DD)"))

    def handle(self, *args: Any, **opts: Any) -> None:
        output = Path(opts["output"])
        fmt = FORMATS.get(output.suffix.lower())
        if fmt is None:
            raise CommandError(gettext("the output file must end in .pdf or .docx"), returncode=USAGE_ERROR)
        case = find_case(opts["case"], opts["organisation"])
        unseal_here()  # a dev vault opens from its key file; otherwise the operator is asked
        kind = KINDS[opts["kind"]]
        facts = CaseFacts.of(case, today=opts["today"])
        lang = opts["lang"] or kind.lang_for(facts.languages)
        options = FilingOptions(
            contact=self._contact(facts, opts),
            authority=find_authority(case, opts["authority"]) if opts["authority"] else None,
            grounds=opts["grounds"],
            annexes=[find_annex(case, value) for value in opts["annex"]],
            sender=opts["sender"],
            forum=opts["forum"],
            send_by_fax=opts["send_by_fax"],
            application_number=opts["application_number"],
            power_of_attorney_follows=opts["power_of_attorney_follows"],
            despite_unavailable=opts["despite_unavailable"],
            today=opts["today"],
            sources=frozenset() if opts["no_sources"] else None,
            notes=frozenset(opts["note"]),
            outgoing_number=opts["outgoing_number"],
            sender_cyrillic=opts["sender_cyrillic"],
            acknowledged=frozenset(opts["acknowledge"]),
        )
        try:
            generation = generate_filing(
                case=case,
                user=None,
                kind=kind.name,
                lang=lang,
                fmt=fmt,
                options=options,
                via="filing_command",
                keep=False,
            )
        except FilingRefused as refused:
            raise CommandError(refusal_text(refused), returncode=USAGE_ERROR) from None
        except NotAcknowledged as pending:
            raise CommandError(acknowledgement_text(pending), returncode=USAGE_ERROR) from None
        try:  # on record already (generate_filing): a reveal goes on record before the bytes leave
            write_private_bytes(output, generation.rendered.content)
        except OSError as exc:
            raise CommandError(
                gettext("cannot write %(path)s: %(reason)s") % {"path": output, "reason": exc.strerror or exc}
            ) from None
        self.stderr.write(
            gettext("Wrote %(kind)s (%(language)s, %(format)s) for %(reference)s to %(path)s.")
            % {"kind": kind.name, "language": lang, "format": fmt, "reference": case.reference, "path": output}
        )

    @staticmethod
    def _contact(facts: CaseFacts, opts: dict[str, Any]) -> Contact | None:
        """--contact and its phone and e-mail, over the default (the team's first lawyer)."""
        given = opts["contact"], opts["contact_phone"], opts["contact_email"], opts["contact_cyrillic"]
        if not any(given):
            return None
        base = None
        if not opts["contact"]:
            lawyer = facts.first_lawyer()
            base = (
                Contact(
                    name=lawyer.get_full_name() or lawyer.username,
                    email=lawyer.email,
                    name_cyrillic=lawyer.name_cyrillic,
                )
                if lawyer
                else None
            )
        contact = base or Contact(name=opts["contact"] or "")
        return replace(
            contact,
            phone=opts["contact_phone"] or contact.phone,
            email=opts["contact_email"] or contact.email,
            name_cyrillic=opts["contact_cyrillic"] or contact.name_cyrillic,
        )
