"""Case-file problems in the reader's language: one sentence per code of `refuge.casefile.validate.Problem`.

The validator keeps each problem's English `message` for the CLI, the API and the logs; pages render
its `code` and `params` here, under the active language. A sentence names what is expected, never
the offending value (it may be a name or a note): params hold field names, limits, vocabulary codes
and paths. A problem without a code shows its English message; a code not listed here the generic
"does not match the case-file format (rule: …)". tests/i18n checks every code the validator can
produce has its sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language, gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from refuge.casefile import vocab

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from refuge.casefile.validate import Problem

SENTENCES: dict[str, StrOrPromise] = {
    # the schema's keywords
    "required": _("is required"),
    "unknown_field": _("unknown field"),
    "unknown_attribute": _("is not an attribute of “%(event_type)s” events"),
    "unknown_event_type": _("unknown event type “%(value)s”"),
    "enum": _("must be one of: %(allowed)s"),
    "const": _("must be %(expected)s"),
    "date_form": _("must be a date (YYYY-MM-DD)"),
    "datetime_form": _("must be a date-time with an offset (YYYY-MM-DDThh:mm:ss+hh:mm)"),
    "instant_form": _("must be a date-time with an offset or a bare date (YYYY-MM-DD)"),
    "country_form": _("must be an ISO 3166-1 alpha-2 code (two capital letters)"),
    "language_form": _("must be a language code (ISO 639, e.g. ru, uz, ko)"),
    "pattern": _("has the wrong form for the case-file format"),
    "type": _("must be %(types)s"),
    "wrong_type": _("has the wrong type"),
    "min_length": ngettext_lazy(
        "must be at least %(limit)s character long", "must be at least %(limit)s characters long", "limit"
    ),
    "max_length": ngettext_lazy(
        "must be at most %(limit)s character long", "must be at most %(limit)s characters long", "limit"
    ),
    "min_items": ngettext_lazy("must hold at least %(limit)s item", "must hold at least %(limit)s items", "limit"),
    "max_items": ngettext_lazy("must hold at most %(limit)s item", "must hold at most %(limit)s items", "limit"),
    "minimum": _("must be at least %(limit)s"),
    "maximum": _("must be at most %(limit)s"),
    "exclusive_minimum": _("must be greater than %(limit)s"),
    "exclusive_maximum": _("must be less than %(limit)s"),
    "min_properties": ngettext_lazy(
        "must have at least %(limit)s field", "must have at least %(limit)s fields", "limit"
    ),
    "max_properties": ngettext_lazy("must have at most %(limit)s field", "must have at most %(limit)s fields", "limit"),
    "unique_items": _("lists the same item twice"),
    "no_form_matches": _("matches none of the forms the case-file format allows here"),
    "invalid": _("does not match the case-file format (rule: %(rule)s)"),
    # the guards run before the schema
    "too_many_events": _("has %(count)s events; a case holds at most %(limit)s"),
    "code_characters": _(
        "must be 1 to %(limit)s characters: Latin letters, digits, '.', '_' and '-', starting with a letter or a digit"
    ),
    "too_deep": _("is nested deeper than %(limit)s levels"),
    "not_a_number": _("must be a number (NaN and Infinity are not JSON)"),
    "lone_surrogate": _("contains a lone surrogate: not Unicode text"),
    "lone_surrogate_key": _("has a key with a lone surrogate: not Unicode text"),
    "repeated_key": _("is given twice in the same object"),
    # what the schema cannot say
    "not_a_date": _("is not a real calendar date"),
    "not_an_instant": _("is not a real date or date-time"),
    "not_a_datetime": _("is not a real date-time"),
    "unknown_zone": _("is not a known IANA time zone"),
    "unknown_country": _("is not a country: use an ISO 3166-1 alpha-2 code (e.g. KP, RU)"),
    "duplicate_id": _("duplicate event id (first used at %(first)s)"),
    "dangling_reference": _("refers to no event in this case"),
    "self_reference": _("refers to the event itself"),
    "wrong_reference": _("must refer to an event of type %(allowed)s, not %(actual)s"),
    # the file as a whole
    "not_an_object": _("must be a JSON object"),
    "unreadable": _("the file cannot be read"),
    "too_large": _("the file is larger than %(limit)s bytes, the limit of a case file"),
    "not_utf8": _("the file is not UTF-8 text"),
    "invalid_json": _("invalid JSON at line %(line)s column %(column)s"),
    "unreadable_number": _("a number cannot be read: it has too many digits"),
    # the organisation's cases (refuge.cases.actions)
    "reference_taken": _("a case with this reference already exists in the organisation"),
    "reference_repeated": _("two files of the batch have the same reference"),
    "no_default_zone": _("required: the host state has no rule pack with a default zone"),
}

TYPE_WORDS: dict[str, StrOrPromise] = {
    "object": _("an object"),
    "array": _("a list"),
    "string": _("text"),
    "integer": _("a whole number"),
    "number": _("a number"),
    "boolean": _("true or false"),
    "null": _("null"),
}


def _either(words: list[str]) -> str:
    """“a, b or c” in the reader's language."""
    if not words:
        return "?"
    text = words[0]
    for word in words[1:]:
        text = gettext("%(first)s or %(second)s") % {"first": text, "second": word}
    return text


def _event_type(code: object) -> str:
    """An event type's label in the reader's language, with its code (what the file must contain)."""
    label = vocab.EVENT_LABELS.get(str(code))
    return f"{gettext(label)} ({code})" if label else "?"


def _types(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"types": _either([str(TYPE_WORDS[t]) for t in params.get("types", ()) if t in TYPE_WORDS])}


def _reference(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "allowed": _either([_event_type(t) for t in params.get("allowed", ())]),
        "actual": _event_type(params.get("actual")),
    }


def _attribute(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"event_type": _event_type(params.get("event_type"))}


def _number(params: Mapping[str, Any]) -> dict[str, Any]:
    limit = params.get("limit")
    return {**params, "limit": f"{limit:,}".replace(",", "\u202f") if isinstance(limit, int) else limit}


# Params a sentence shows otherwise than as given (translated words, grouped digits).
_SHOWN: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "type": _types,
    "wrong_reference": _reference,
    "unknown_attribute": _attribute,
    "too_large": _number,
}


def problem_text(problem: Problem) -> str:
    """A problem's sentence in the active language (its English message when it has no code)."""
    code = getattr(problem, "code", "")
    params: Mapping[str, Any] = getattr(problem, "params", {}) or {}
    if not code:
        return str(problem.message)
    sentence = SENTENCES.get(code)
    if sentence is None:
        return gettext("does not match the case-file format (rule: %(rule)s)") % {"rule": code}
    shown = _SHOWN[code](params) if code in _SHOWN else dict(params)
    try:
        return str(sentence % shown)
    except (KeyError, TypeError, ValueError):  # a problem built without the params its code needs
        return str(problem.message)


def problem_lines(problems: Iterable[Problem]) -> str:
    """`path: what is wrong`, one a line, for a person at a terminal (`refuge import`).

    In English, the validator's own messages (the output tests and scripts know); else the sentences.
    """
    english = (get_language() or "en").split("-")[0] == "en"
    return "\n".join(f"{p.path}: {p.message if english else problem_text(p)}" for p in problems)
