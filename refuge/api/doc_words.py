"""The API documentation's words, for the catalogues: what /api/v1/openapi.json says in English.

The OpenAPI document is built in English (django-ninja cannot serialise lazy strings) and then
translated, per language, by refuge.api.main.RefugeAPI: its summaries (django-ninja makes them from
the views' names, "case_list" -> "Case List"), descriptions (the views' docstrings, the schemas'
field descriptions, the answers' HTTP reasons) and tags. makemessages finds them here;
tests/i18n fails when the English document has one this list lacks, or this list one it no longer has.
Field names, paths and enum values are the contract: never translated.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

WORDS = (
    gettext_noop("Case List"),
    gettext_noop("OK"),
    gettext_noop("Bad Request"),
    gettext_noop("Unauthorized"),
    gettext_noop("Forbidden"),
    gettext_noop("Not Found"),
    gettext_noop("Unprocessable Entity"),
    gettext_noop("Too Many Requests"),
    gettext_noop("Service Unavailable"),
    gettext_noop("The cases the caller may see, filtered and sorted as on the case list page."),
    gettext_noop("cases"),
    gettext_noop("Case Create"),
    gettext_noop("Created"),
    gettext_noop("Open a case (the intake): the client's facts and first events, validated as one case file."),
    gettext_noop("Case Import"),
    gettext_noop(
        "Create a case from a whole case file (`refuge.case/1`); nothing is stored unless all of it is valid."
    ),
    gettext_noop("Case Detail"),
    gettext_noop("Case Export"),
    gettext_noop(
        "The case file with the client's identity: the identity scope, never an analyst; audited as an export."
    ),
    gettext_noop("Person Detail"),
    gettext_noop(
        "The client: facts for every reader; names and birth date with the identity scope, audited as a reveal."
    ),
    gettext_noop("Event List"),
    gettext_noop("Event Add"),
    gettext_noop(
        "Add an event through the page's action: the whole case file is validated, then recomputed and alerted."
    ),
    gettext_noop("Event Detail"),
    gettext_noop("Event Edit"),
    gettext_noop("Change an event's time, attributes, source and note (its type stays)."),
    gettext_noop("Event Delete"),
    gettext_noop("No Content"),
    gettext_noop(
        "Delete an event; refused (422, with the paths of the events referring to it) while others refer to it."
    ),
    gettext_noop("Deadline List"),
    gettext_noop("The deadlines the rule packs derive from the timeline, as last recomputed."),
    gettext_noop("Conflict List"),
    gettext_noop("Forum List"),
    gettext_noop("Which international bodies are open to the case, and why, from its last check."),
    gettext_noop("Check"),
    gettext_noop("Check a posted case file against the rule packs (`refuge.check/1` report); nothing is stored."),
    gettext_noop("Filing List"),
    gettext_noop("filings"),
    gettext_noop("Filing Generate"),
    gettext_noop(
        "Generate and keep the next version; refused (422, each missing item a problem) when the checklist is not met."
    ),
    gettext_noop("Filing Detail"),
    gettext_noop("Filing Download"),
    gettext_noop("The file, decrypted as it streams"),
    gettext_noop("The generated file, on record first (a download and a reveal of identity, as on the page)."),
    gettext_noop("Alert List"),
    gettext_noop("The newest alerts the caller may see (at most 100), those still unacknowledged first if asked."),
    gettext_noop("alerts"),
    gettext_noop("Alert Detail"),
    gettext_noop("Alert Acknowledge"),
    gettext_noop("Acknowledge for everyone and stop the escalation (those it was sent to, or who change its case)."),
    gettext_noop("Stats Tables"),
    gettext_noop(
        "The fixed outcome tables: by year (`period=years`) or one year's quarters (`period=2026`), for\n"
        "everyone (`group=*`) or one group the page offers (e.g. `nationality:KP`)."
    ),
    gettext_noop("statistics"),
    gettext_noop("Pseudonymous reference; never a name"),
    gettext_noop("body, query, path or header (case: what the case lacks)"),
    gettext_noop("A JSON path into the body ($.events[1].at), or the parameter's name"),
    gettext_noop("RFC 9457 problem details."),
    gettext_noop("The event's id in the case file (e3)"),
    gettext_noop("As the case file writes it: a date, or a date-time with its offset"),
    gettext_noop("Null without the identity scope (identifying free text)"),
    gettext_noop("Pseudonymous; never a name"),
    gettext_noop("IANA zone; default: the host state's pack"),
    gettext_noop("An event of a new case: its id in the case file, type, time and the type's attributes."),
    gettext_noop("YYYY-MM-DD, or a date-time with its UTC offset"),
    gettext_noop("Written with the write scope; read back only with identity"),
    gettext_noop("Only with the identity scope, where the account may see it"),
    gettext_noop("The type's attributes (CASEFILE.md), e.g. decision_event"),
    gettext_noop("Identifying free text: stored encrypted"),
    gettext_noop("The check report's forums (refuge.check/1)"),
    gettext_noop("notify-authority: the addressee, from the directory"),
    gettext_noop("Codes of the case's PDF documents"),
    gettext_noop("The review's warnings the lawyer has read and accepts (a 422 problem names those that apply)"),
    gettext_noop("Case reference and what happened; never a name"),
    gettext_noop("False when someone had acknowledged it already"),
    gettext_noop("What `refuge worker` POSTs to a user's webhook: signed with X-Refuge-Signature (HMAC-SHA256)."),
    gettext_noop("The case's pseudonymous reference"),
)
