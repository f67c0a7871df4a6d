"""The kinds of filing Refuge generates, each with its languages and the forum it goes to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI's word and the stored kind (rule39, un-interim, ...)
    label: str
    languages: tuple[str, ...]  # ISO 639-1 codes a template exists for
    default_lang: str
    forums: tuple[str, ...] = ()  # the forums a request goes to (empty for letters and notices)
    annexes: bool = False  # takes an annex bundle (case documents merged after the request)

    def allows(self, lang: str) -> bool:
        return lang in self.languages


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("rule39", "ECtHR Rule 39 request", ("en",), "en", forums=("echr",), annexes=True),
        Kind("un-interim", "UN CAT / HRC interim-measures request", ("en",), "en", ("un_cat", "un_hrc"), annexes=True),
        Kind("notify-authority", "Notification of an interim measure to an authority", ("ru", "en"), "ru"),
        Kind("client-notice", "Notice to the client of his rights", ("ko", "ru", "en"), "en"),
    )
}


class UnknownKindError(ValueError):
    pass


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKindError(f"unknown filing kind {name!r}; one of {', '.join(KINDS)}") from None


def client_notice_lang(languages: list[str]) -> str:
    """The client notice's language: the first of his languages a notice exists in, else English."""
    kind = KINDS["client-notice"]
    return next((lang for lang in languages if kind.allows(lang)), kind.default_lang)
