"""The kinds of filing Refuge generates, each with its languages and the forum it goes to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from refuge.filings.facts import CaseFacts


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI's word and the stored kind (rule39, un-interim, ...)
    label: str
    title: str  # the document's own title (its metadata, its heading) in English
    languages: tuple[str, ...]  # ISO 639-1 codes a template exists for
    default_lang: str
    forums: tuple[str, ...] = ()  # the forums a request goes to (empty for letters and notices)
    annexes: bool = False  # takes an annex bundle (case documents merged after the request)
    site: bool = False  # goes through the ECtHR's Rule 39 Site unless faxed (text PDFs, 50 MB, ASCII names)
    addressed: bool = False  # an official letter to an authority of the directory (its addressee required)
    to_client: bool = False  # given to the client: needs a number he can call; names him to nobody else
    update: bool = False  # tells a forum already asked of a change (the removal's new date); no new request
    titles: tuple[tuple[str, str], ...] = ()  # (lang, title) where a language has its own

    def title_in(self, lang: str) -> str:
        return dict(self.titles).get(lang, self.title)

    def lang_for(self, languages: list[str]) -> str:
        """The language to write in: for the client, the first of his a template exists in; else the kind's."""
        if self.to_client:
            return next((lang for lang in languages if self.allows(lang)), self.default_lang)
        return self.default_lang

    def allows(self, lang: str) -> bool:
        return lang in self.languages

    @property
    def request(self) -> bool:
        """A request to an international forum (its sending goes on the timeline as the request)."""
        return bool(self.forums) and not self.update

    @property
    def request_forums(self) -> tuple[str, ...]:
        """The forums whose `interim_measure_requested` a sending of it records (none for a letter)."""
        return self.forums if self.request else ()

    @property
    def reveals_identity(self) -> bool:
        """Generating it reveals the client's identity: it names him to its addressee (not to himself alone)."""
        return not self.to_client

    def default_forum(self, facts: CaseFacts) -> str:
        """The forum a request goes to when none is chosen: its one forum, else the committee the case is before."""
        if len(self.forums) == 1:
            return self.forums[0]
        if self.update:
            due = facts.updates_due()
            return due[0].forum if due else ""
        return facts.un_forum() if self.forums else ""

    def official_in(self, lang: str) -> bool:
        """An official Russian letter: sender and addressee in Cyrillic, outgoing number, enclosures."""
        return self.addressed and lang == "ru"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "rule39",
            gettext_noop("ECtHR Rule 39 request"),
            "Request for an interim measure under Rule 39",
            ("en",),
            "en",
            forums=("echr",),
            annexes=True,
            site=True,
        ),
        Kind(
            "un-interim",
            gettext_noop("UN CAT / HRC interim-measures request"),
            "Request for interim measures",
            ("en",),
            "en",
            ("un_cat", "un_hrc"),
            annexes=True,
        ),
        Kind(
            "notify-authority",
            gettext_noop("Notification of an interim measure to an authority"),
            "Notification of an interim measure",
            ("ru", "en"),
            "ru",
            addressed=True,  # its enclosures are listed ("Приложение:"), sent with it, not merged
            titles=(("ru", "Уведомление о временной мере"),),
        ),
        Kind(
            "client-notice",
            gettext_noop("Notice to the client of his rights"),
            "Your rights",
            ("ko", "ru", "uz", "tg", "ky", "en"),
            "en",
            to_client=True,
            titles=(
                ("ru", "Ваши права"),
                ("ko", "당신의 권리"),
                ("uz", "Sizning huquqlaringiz"),
                ("tg", "Ҳуқуқҳои шумо"),
                ("ky", "Сиздин укуктарыңыз"),
            ),
        ),
        Kind(
            "removal-update",
            gettext_noop("Update to a forum: the removal's new date"),
            "Update: the removal has been rescheduled",
            ("en",),
            "en",
            forums=("echr", "un_cat", "un_hrc"),
            update=True,
        ),
    )
}
DEFAULT_KIND = "rule39"  # the wizard's first choice
UPDATE_KINDS = tuple(name for name, kind in KINDS.items() if kind.update)  # what a rescheduled removal asks for


class UnknownKindError(ValueError):
    pass


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKindError(f"unknown filing kind {name!r}; one of {', '.join(KINDS)}") from None
