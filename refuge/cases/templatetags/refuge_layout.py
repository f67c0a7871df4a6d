"""The layout's header (base.html), built here rather than by the template's nodes: every page shows
it, and its eleven links, dozen translated words and tests cost more than most pages' own content.
What depends only on the language, the page and the reader's role is built once per process; the
unread count, the user's name and the CSRF token are put in on each page. tests/pages/test_page_header.py
renders the template this replaced (page_header_reference.html) and this tag and compares the HTML."""

from __future__ import annotations

import functools
from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop

from refuge.cases.templatetags.refuge_pages import _tr, code_url

register = template.Library()

MENU, MAIN, USERS, LOG_OUT = gettext_noop("Menu"), gettext_noop("Main"), gettext_noop("Users"), gettext_noop("Log out")
ALERTS, STATISTICS = gettext_noop("Alerts"), gettext_noop("Statistics")
UNREAD_ALERTS, UNREAD = gettext_noop("%(unread)s unread alerts"), gettext_noop("%(unread)s unread")
# The main menu of everyone but an analyst, in order (the alerts' link follows, with the bell).
LINKS = (
    ("dashboard", gettext_noop("Dashboard")),
    ("case_list", gettext_noop("Cases")),
    ("case_new", gettext_noop("New case")),
    ("authority_list", gettext_noop("Authorities")),
    ("stats_page", STATISTICS),
)
_CSRF = CsrfTokenNode()


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> SafeString:
    """The page's <header>: the brand, and for a logged-in user the menu, the search box and the logout form."""
    user = context.get("user")
    request = context.get("request")
    language = get_language() or "en"
    where = (language, get_script_prefix(), get_urlconf())  # what the words and the links depend on
    if user is None or not user.is_authenticated:
        return mark_safe(_anonymous(where))  # noqa: S308  # nothing of the reader's in it
    member = user.membership()
    match = getattr(request, "resolver_match", None)
    analyst, admin = bool(member and member.is_analyst), bool(member and member.is_admin)
    parts = _parts(where, match.url_name if match is not None else None, analyst, admin)
    unread = escape(str(context.get("alerts_unread") or ""))
    menu_bell = alerts_bell = ""
    if unread:  # as blocktranslate makes it: the value escaped, the translation as the catalogue has it
        said = _tr(language, UNREAD_ALERTS) % {"unread": unread}
        menu_bell = f' <span class="bell-count" aria-label="{said}">{unread}</span>'
        if not analyst:  # the alerts' link, which an analyst's menu does not have
            said = _tr(language, UNREAD) % {"unread": unread}
            alerts_bell = f' <span class="bell-count" aria-label="{said}">{unread}</span>'
    return mark_safe(  # noqa: S308  # the parts are escaped where they are made, the values just above
        parts[0] + menu_bell + parts[1] + alerts_bell + parts[2] + _CSRF.render(context) + parts[3]
        + escape(user.get_username()) + parts[4]
    )


_BRAND = '<header class="topbar">\n  <a class="brand" href="{}">Refuge</a>\n  '


@functools.lru_cache(maxsize=64)
def _anonymous(where: tuple[str, str, str | None]) -> str:
    return _BRAND.format(escape(code_url("dashboard"))) + "\n</header>"


@functools.lru_cache(maxsize=1024)
def _parts(
    where: tuple[str, str, str | None], name: str | None, analyst: bool, admin: bool
) -> tuple[str, str, str, str, str]:
    """The header around its values (the bells, the CSRF field, the user's name) for the page `name`:
    `where` is (the active language, the script prefix, the URLconf)."""
    language = where[0]

    def link(url_name: str, label: str, extra: str = "") -> str:
        current = ' aria-current="page"' if name == url_name else ""
        return f'<a href="{escape(code_url(url_name))}"{extra}{current}>{escape(_tr(language, label))}'

    head = (
        _BRAND.format(escape(code_url("dashboard")))
        + "\n  \n  <details class=\"topmenu\">\n    <summary>"
        + escape(_tr(language, MENU))
    )
    main = escape(_tr(language, MAIN))
    nav = f'</summary>\n    <div class="topmenu-body">\n  \n  <nav class="mainnav" aria-label="{main}">\n    '
    if analyst:
        nav += "\n    " + link("stats_page", STATISTICS) + "</a>\n    \n  </nav>\n  \n  "
        alerts = ""
    else:
        nav += "\n    " + "".join(link(url_name, label) + "</a>\n    " for url_name, label in LINKS)
        nav += link("alert_list", ALERTS, ' class="bell"')
        alerts = "</a>\n    \n  </nav>\n  \n  " + get_template("search/_header_search.html").render({})
    logout = f'\n  <form class="logout" method="post" action="{escape(code_url("logout"))}">\n    '
    whoami = f'\n    <a class="whoami" href="{escape(code_url("account"))}">'
    users = ""
    if admin:
        users = f' <a class="whoami" href="{escape(code_url("user_list"))}">{escape(_tr(language, USERS))}</a>'
    tail = (
        f"</a>{users}\n"
        f'    <button type="submit" class="button-quiet">{escape(_tr(language, LOG_OUT))}</button>\n'
        "  </form>\n    </div>\n  </details>\n  \n</header>"
    )
    if analyst:
        return head, nav, logout, whoami, tail
    return head, nav, alerts + logout, whoami, tail
