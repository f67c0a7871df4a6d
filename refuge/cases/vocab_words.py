"""The case-file vocabulary's codes as pages show them (forms.common.humanize), for the catalogues.

Attribute names, enum values and channel kinds are codes (refuge.casefile.vocab); a page shows them
humanized ("foreigners_centre" -> "Foreigners centre") and translated. makemessages finds the words
here; tests/i18n fails when a code of the vocabulary has no word in this list.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

WORDS = (
    gettext_noop("Administrative"),
    gettext_noop("Authority"),
    gettext_noop("Basis"),
    gettext_noop("Counsel"),
    gettext_noop("Country"),
    gettext_noop("Criminal"),
    gettext_noop("Decision"),
    gettext_noop("Decision event"),
    gettext_noop("Deportation"),
    gettext_noop("Destination"),
    gettext_noop("Detention"),
    gettext_noop("Due"),
    gettext_noop("Efiling"),
    gettext_noop("Email"),
    gettext_noop("Expulsion"),
    gettext_noop("Extends"),
    gettext_noop("Extradition"),
    gettext_noop("Fax"),
    gettext_noop("Foreigners centre"),
    gettext_noop("Forum"),
    gettext_noop("Interpreter"),
    gettext_noop("Kind"),
    gettext_noop("Language"),
    gettext_noop("None"),
    gettext_noop("Note"),
    gettext_noop("Outcome"),
    gettext_noop("Phone"),
    gettext_noop("Place"),
    gettext_noop("Post"),
    gettext_noop("Quashed"),
    gettext_noop("Readmission"),
    gettext_noop("Refugee refusal"),
    gettext_noop("Refugee status"),
    gettext_noop("Remitted"),
    gettext_noop("Removal at"),
    gettext_noop("Removal event"),
    gettext_noop("Replaces"),
    gettext_noop("Source"),
    gettext_noop("Temporary asylum"),
    gettext_noop("Temporary asylum refusal"),
    gettext_noop("Term until"),
    gettext_noop("Until"),
    gettext_noop("Upheld"),
)
