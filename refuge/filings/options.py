"""What a person chooses when generating a filing, and the defaults the case supplies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from refuge.cases.models import Authority, Document


@dataclass(frozen=True)
class Contact:
    """The person the forum or the client should contact: a lawyer of the organisation."""

    name: str
    phone: str = ""
    email: str = ""
    name_cyrillic: str = ""  # as it signs a Russian letter (default: the user of that name's)

    def line(self) -> str:
        return ", ".join(part for part in (self.name, self.phone, self.email) if part)


@dataclass
class FilingOptions:
    """Choices for one filing; every empty value means "derive it from the case"."""

    contact: Contact | None = None  # default: the case's first lawyer (name, e-mail)
    authority: Authority | None = None  # notify-authority: the addressee (required)
    grounds: str = ""  # default: the risk in the destination, with the treaty's articles
    annexes: list[Document] = field(default_factory=list)  # bundled after the request, in this order
    sender: str = ""  # default: the case's organisation
    forum: str = ""  # un-interim: un_cat or un_hrc (default: the committee the case is before, else CAT)
    send_by_fax: bool | None = None  # rule39: None = fax for sanctioned nationals, else the Rule 39 Site
    application_number: str = ""  # default: the reference of the case's proceeding before the forum
    power_of_attorney_follows: bool = False  # un-interim: the power of attorney will be sent separately
    # rule39: file with the Court although the engine reads the act as outside its reach (ECHR
    # art. 58; Russia after 16 Sep 2022): the lawyer's call, e.g. when the facts predate the cut-off.
    # Recording the request as sent then raises the forum_unavailable conflict.
    despite_unavailable: bool = False
    today: date | None = None  # the day the filing is dated (default: today in the case's zone)
    # The facts' sources and notes the filing states, by event key: None = every source; notes none.
    sources: frozenset[str] | None = None
    notes: frozenset[str] = frozenset()
    outgoing_number: str = ""  # a letter's outgoing number (default: the case's reference / the next version)
    sender_cyrillic: str = ""  # the organisation's name in Cyrillic (default: as recorded on it)
    acknowledged: frozenset[str] = frozenset()  # the review's warnings the lawyer has acknowledged, by code
