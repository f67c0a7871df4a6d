"""Operations of the filings workflow (STYLE.md §2): generate a filing, record a download, record a sending.

Every door (the wizard, the API, `refuge filing`) generates through `generate_filing`; every
download streams and goes on record through `download_filing` and `download_proof`. Each writes its audit entries
in the same transaction as its rows. Recording a sending recomputes the case in that transaction
too: through `record_event` when the sending of a request becomes the timeline's
`interim_measure_requested` event, directly otherwise (a notification letter), so
`authority_not_notified` clears the moment the log is filled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.cases.actions import download, record_event, sniff_content_type
from refuge.cases.recompute import recompute_case
from refuge.filings.kinds import get_kind
from refuge.filings.models import Channel, GeneratedFiling, Sending
from refuge.filings.render import Rendered, render_filing
from refuge.vault.storage import EncryptedUpload

if TYPE_CHECKING:
    from django.http import HttpRequest, StreamingHttpResponse

    from refuge.accounts.models import User
    from refuge.cases.models import Authority, Case
    from refuge.filings.options import FilingOptions


class SendingError(ValueError):
    """The sending cannot be recorded as given; the message says why (no client data in it)."""


def next_version(*, case: Case, kind: str, lang: str) -> int:
    latest = GeneratedFiling.objects.filter(case=case, kind=kind, lang=lang).aggregate(n=Max("version"))["n"]
    return int(latest or 0) + 1


@dataclass(frozen=True)
class Generation:
    rendered: Rendered
    filing: GeneratedFiling | None  # the kept version; None when the caller delivers the bytes itself


def generate_filing(  # one keyword per choice of the filing
    *,
    case: Case,
    user: User | None,
    kind: str,
    lang: str,
    fmt: str,
    options: FilingOptions,
    via: str,
    keep: bool = True,
) -> Generation:
    """Generate a filing, whichever door it came through (the wizard, the API, `refuge filing`).

    Renders outside any transaction (it takes longest), then in one transaction keeps the version
    (`keep`; the command writes a file instead) and puts the generation on record with the reveal
    of identity it is. A refusal of the checklist (FilingRefused) or warnings not acknowledged
    (NotAcknowledged) raise before anything is kept or recorded.
    """
    rendered = render_filing(case=case, kind=kind, lang=lang, fmt=fmt, options=options)
    acknowledged = list(rendered.acknowledged)
    if keep:
        filing: GeneratedFiling | None = store_filing(
            case=case,
            user=user,
            kind=kind,
            lang=lang,
            fmt=fmt,
            content=rendered.content,
            filename=rendered.filename,
            content_type=rendered.content_type,
            forum=rendered.forum,
            authority=options.authority,
            acknowledged=acknowledged,
            via=via,
        )
    else:
        filing = None
        record_generation(
            case=case,
            user=user,
            kind=kind,
            lang=lang,
            fmt=fmt,
            size=len(rendered.content),
            sha256=rendered.sha256,
            acknowledged=acknowledged,
            via=via,
        )
    return Generation(rendered=rendered, filing=filing)


@transaction.atomic
def record_generation(  # one keyword per fact of the entry
    *,
    case: Case,
    user: User | None,
    kind: str,
    lang: str,
    fmt: str,
    size: int,
    acknowledged: list[tuple[str, str]],
    via: str,
    filing: GeneratedFiling | None = None,
    sha256: str = "",
) -> None:
    """The audit entries of one generation: the one place they are written.

    Each warning acknowledged on review (code, forum) is its own entry, before the generation's.
    Then the generation: the kept version (its SHA-256 is encrypted with it), or, when nothing is
    kept, the SHA-256 of the bytes handed out. Then the reveal of identity the document is: the
    client's names were decrypted into it (unless the kind is addressed to him alone).
    """
    for code, forum in acknowledged:
        audit.record(
            type=EventType.FILING_WARNING_ACKNOWLEDGED,
            actor=user,
            target=case,
            data={"warning": code, "kind": kind, "forum": forum or None, "via": via},
        )
    kept = filing.code if filing is not None else None
    audit.record(
        type=EventType.FILING_GENERATED,
        actor=user,
        target=case,
        data={
            "kind": kind,
            "lang": lang,
            "format": fmt,
            "via": via,
            "filing": kept,
            "version": filing.version if filing is not None else None,
            "size": size,
            "sha256": None if filing is not None else sha256,
        },
    )
    if get_kind(kind).reveals_identity:
        audit.record(
            type=EventType.IDENTITY_REVEALED,
            actor=user,
            target=case,
            fields=["names", "birth_date"],
            data={"via": via, "kind": kind, "filing": kept},
        )


@transaction.atomic
def store_filing(  # one keyword per column of what is kept
    *,
    case: Case,
    user: User | None,
    kind: str,
    lang: str,
    fmt: str,
    content: bytes,
    filename: str,
    content_type: str,
    forum: str = "",
    authority: Authority | None = None,
    acknowledged: list[tuple[str, str]] | None = None,
    via: str = "wizard",
) -> GeneratedFiling:
    """Keep a generated file as the next version of its kind and language, encrypted, with its hash."""
    if authority is not None and authority.organisation_id != case.organisation_id:
        raise ValueError("the authority belongs to another organisation")
    filing = GeneratedFiling(
        case=case,
        kind=kind,
        lang=lang,
        format=fmt,
        version=next_version(case=case, kind=kind, lang=lang),
        forum=forum,
        authority=authority,
        filename=filename[-255:],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
    )
    filing.file.save(filing.code.hex, ContentFile(content), save=False)
    filing.save()
    case.save(update_fields=["updated_at"])
    record_generation(
        case=case,
        user=user,
        kind=kind,
        lang=lang,
        fmt=fmt,
        size=filing.size,
        acknowledged=list(acknowledged or ()),
        via=via,
        filing=filing,
    )
    return filing


def download_filing(
    *, filing: GeneratedFiling, user: User, request: HttpRequest | None = None
) -> StreamingHttpResponse:
    """The filing, decrypted as it streams; on record first: the download, and the reveal of identity it is."""
    data = {"via": "filing_download", "filing": filing.code, "version": filing.version}
    event = EventType.FILING_DOWNLOADED
    return download(case=filing.case, user=user, stored=filing.stored, event=event, data=data, request=request)


def download_proof(*, sending: Sending, user: User, request: HttpRequest | None = None) -> StreamingHttpResponse:
    """A proof of sending names the client too: on record like a filing's download."""
    data = {"via": "sending_proof", "sending": sending.code}
    event = EventType.FILING_DOWNLOADED
    return download(case=sending.case, user=user, stored=sending.stored_proof, event=event, data=data, request=request)


def request_forum(filing: GeneratedFiling | None, forum: str) -> str:
    """The forum whose `interim_measure_requested` a sending of this filing records ('' for a letter)."""
    allowed = get_kind(filing.kind).request_forums if filing is not None else ()
    if filing is None or not allowed:
        return ""
    chosen = forum or filing.forum or (allowed[0] if len(allowed) == 1 else "")
    if chosen not in allowed:
        raise SendingError(gettext("choose the forum the request went to: %(forums)s") % {"forums": ", ".join(allowed)})
    return chosen


@transaction.atomic
def record_sending(  # one keyword per fact of the log
    *,
    case: Case,
    user: User | None,
    channel: str,
    sent_at: datetime,
    filing: GeneratedFiling | None = None,
    authority: Authority | None = None,
    forum: str = "",
    reference: str = "",
    proof: bytes | EncryptedUpload | None = None,
    proof_filename: str = "",
) -> Sending:
    """Log that something was sent; a request's sending also goes on the timeline as the request."""
    if sent_at.tzinfo is None:
        raise SendingError(gettext("the time of sending needs its time zone"))
    if channel not in Channel.values:
        raise SendingError(gettext("choose one of the listed channels"))
    if filing is not None and filing.case_id != case.pk:
        raise SendingError(gettext("the filing belongs to another case"))
    if authority is not None and authority.organisation_id != case.organisation_id:
        raise SendingError(gettext("the authority belongs to another organisation"))
    forum = request_forum(filing, forum)
    if forum == "echr" and channel == Channel.EMAIL:
        raise SendingError(
            gettext("the Court does not accept Rule 39 requests by e-mail: use the Rule 39 Site, fax or post")
        )
    if filing is None and authority is None:
        raise SendingError(gettext("say whom it was sent to"))
    sending = Sending(
        case=case,
        filing=filing,
        authority=authority,
        forum=forum,
        channel=channel,
        sent_at=sent_at,
        reference=reference,
        created_by=user,
    )
    if proof is not None:
        if isinstance(proof, EncryptedUpload):
            head, size, sha256 = proof.head(2048), proof.plain_size, proof.sha256
            body: EncryptedUpload | ContentFile[bytes] = proof
        else:
            head, size, sha256 = proof[:2048], len(proof), hashlib.sha256(proof).hexdigest()
            body = ContentFile(proof)
        sending.proof_filename = (proof_filename or "proof")[-255:]
        sending.proof_content_type = sniff_content_type(head)
        sending.proof_size = size
        sending.proof_sha256 = sha256
        sending.proof.save(sending.code.hex, body, save=False)
    sending.save()
    if forum:
        # The timeline's own fact; record_event validates the case file and recomputes the case.
        sending.event = record_event(
            case=case,
            user=user,
            type="interim_measure_requested",
            at=sent_at.astimezone(case.tzinfo).isoformat(),
            attributes={"forum": forum},
            source=f"Notification log: sent by {sending.get_channel_display().lower()}",
        )
        sending.save(update_fields=["event"])
    else:
        case.save(update_fields=["updated_at"])
        recompute_case(case=case, cause="filing_sent", actor=user)
    audit.record(
        type=EventType.FILING_SENT,
        actor=user,
        target=case,
        data={
            "sending": sending.code,
            "filing": filing.code if filing is not None else None,
            "authority": authority.code if authority is not None else None,
            "channel": channel,
            "forum": forum or None,
            "event": sending.event.code if sending.event is not None else None,
            "proof": bool(proof is not None),
        },
    )
    return sending
