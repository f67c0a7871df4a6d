"""Login (password, then a second factor), enrolment, the account page and re-authentication."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from refuge import hooks
from refuge.accounts import actions, passkeys, sessions, twofactor
from refuge.accounts.backends import THROTTLED_ATTR
from refuge.accounts.decorators import recently_authenticated, require_recent_auth
from refuge.accounts.forms import CodeForm, EnrolForm, LoginForm, NewPasskeyForm, PasskeyForm, ReauthForm
from refuge.accounts.models import User


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


class RefugeLoginView(LoginView):
    """The password step. A user who needs a second factor is sent on to it, not logged in."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if twofactor.requires_second_factor(user):
            twofactor.begin(self.request, user, next_url=self.get_success_url())
            return HttpResponseRedirect(reverse("two_factor"))
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if isinstance(form, LoginForm) and form.throttled:  # always a LoginForm (authentication_form)
            response.status_code = 429
            response["Retry-After"] = str(form.throttled)
        return response


login_view = RefugeLoginView.as_view()


def _to_login(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your login took too long or has ended. Please log in again."))
    return HttpResponseRedirect(reverse("login"))


def _after_login(request: HttpRequest, next_url: str) -> str:
    """Where a completed login goes: on, or first to add the passkey the organisation requires."""
    if request.session.get(passkeys.SETUP_REQUIRED):
        return f"{reverse('passkey_add')}?{urlencode({'next': next_url})}"
    return next_url


def _options(make: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """(the ceremony's options as JSON, "") or (None, why passkeys cannot be used here)."""
    try:
        return make(), ""
    except passkeys.PasskeyError as exc:
        return None, str(exc)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step: a passkey if the user has one; else (or on request) a code from the app or a recovery code."""
    user = twofactor.pending_user(request)
    if user is None:
        return _to_login(request)
    has_passkey = passkeys.has_passkey(user)
    if has_passkey and request.GET.get("use") != "code":
        return _passkey_step(request, user)
    if not has_passkey and not twofactor.has_device(user):
        return HttpResponseRedirect(reverse("passkey_add" if passkeys.required_for(user) else "two_factor_enrol"))
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        next_url = _safe_next(request, twofactor.pending_next(request))
        twofactor.finish(request, user, form.device)
        if form.device.name == twofactor.RECOVERY_NAME:
            left = twofactor.recovery_codes_left(user)
            messages.warning(
                request, _("You used a recovery code; %(left)s left. Make new ones on your account page if few remain.")
                % {"left": left}
            )
        return HttpResponseRedirect(_after_login(request, next_url))
    context = {"form": form, "has_passkey": has_passkey, "totp": twofactor.totp_accepted(user)}
    return render(request, "accounts/two_factor.html", context, status=422 if form.errors else 200)


def _passkey_step(request: HttpRequest, user: User) -> HttpResponse:
    form = PasskeyForm(request.POST or None, request=request, user=user, purpose="login")
    if request.method == "POST" and form.is_valid():
        next_url = _safe_next(request, twofactor.pending_next(request))
        twofactor.finish(request, user, form.passkey)
        return HttpResponseRedirect(_after_login(request, next_url))
    options, unavailable = _options(lambda: passkeys.authentication_options(request, user, purpose="login"))
    context = {
        "form": form,
        "options": options,
        "unavailable": unavailable,
        "totp": twofactor.totp_accepted(user) and twofactor.has_device(user),
    }
    return render(request, "accounts/passkey_login.html", context, status=422 if form.errors else 200)


def _enrolling_user(request: HttpRequest) -> tuple[User | None, bool]:
    """(who enrols, whether that is a pending login) — a pending login, or a logged-in user without a device."""
    pending = twofactor.pending_user(request)
    if pending is not None:
        return pending, True
    if request.user.is_authenticated:
        return request.user, False
    return None, False


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: QR code and secret, a code to confirm, then recovery codes once."""
    user, pending = _enrolling_user(request)
    if user is None:
        return _to_login(request)
    if twofactor.has_device(user):
        return HttpResponseRedirect(reverse("two_factor" if pending else "account"))
    device = twofactor.unsaved_device(user, twofactor.enrolment_key(request))
    form = EnrolForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        next_url = _safe_next(request, twofactor.pending_next(request)) if pending else reverse("account")
        codes = twofactor.confirm(request, device, time_step=form.time_step or 0)
        if pending:
            twofactor.finish(request, user, device)
            next_url = _after_login(request, next_url)
        else:
            from django_otp import login as otp_login  # noqa: PLC0415  # only here

            otp_login(request, device)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    context = {
        "form": form,
        "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret_base32(device),
        "pending": pending,
    }
    return render(request, "accounts/enrol.html", context, status=422 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def passkey_add(request: HttpRequest) -> HttpResponse:
    """Name a passkey and make it in the browser; at a login the organisation's policy may insist on it.

    A logged-in user re-authenticates first (a stolen session must not add its own key), but not
    right after a login that must add one. A pending login adds one only while the user has no
    other factor (as enrolment in the authenticator app does), and is then logged in by it.
    """
    user, pending = _enrolling_user(request)
    if user is None:
        return _to_login(request)
    if pending and (passkeys.has_passkey(user) or twofactor.has_device(user)):
        return HttpResponseRedirect(reverse("two_factor"))
    setup = bool(request.session.get(passkeys.SETUP_REQUIRED))
    if not pending and not setup and not recently_authenticated(request):
        return HttpResponseRedirect(f"{reverse('reauth')}?{urlencode({'next': reverse('passkey_add')})}")
    if pending:
        next_url = _safe_next(request, twofactor.pending_next(request))
    else:
        asked = request.POST.get("next") or request.GET.get("next", "")
        next_url = _safe_next(request, asked) if asked else reverse("account")
    form = NewPasskeyForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid() and form.new is not None:
        passkey = actions.add_passkey(user=user, name=form.cleaned_data["name"], credential=form.new)
        request.session.pop(passkeys.SETUP_REQUIRED, None)
        if pending:
            twofactor.finish(request, user, passkey)
        messages.success(request, _("Your passkey “%(name)s” was added.") % {"name": passkey.name})
        if not twofactor.has_device(user) and not twofactor.recovery_codes_left(user):
            codes = twofactor.new_recovery_codes(user)  # a lost key must not lock its owner out
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
        return HttpResponseRedirect(next_url)
    options, unavailable = _options(lambda: passkeys.registration_options(request, user))
    context = {
        "form": form,
        "options": options,
        "unavailable": unavailable,
        "pending": pending,
        "required": setup or (pending and passkeys.required_for(user)),
        "next": next_url,
    }
    return render(request, "accounts/passkey_add.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
@require_recent_auth
def passkey_remove(request: HttpRequest, code: UUID) -> HttpResponse:
    """Remove one of one's own passkeys (another's code is missing); never the last one the policy requires."""
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    passkey = user.passkeys.filter(code=code).first()
    if passkey is None:
        raise Http404("No such passkey")
    if passkeys.required_for(user) and user.passkeys.count() == 1:
        messages.error(request, _("Your organisation requires a passkey: add another one before removing this one."))
        return HttpResponseRedirect(reverse("account"))
    actions.remove_passkey(passkey=passkey, actor=user)
    messages.success(request, _("The passkey “%(name)s” was removed.") % {"name": passkey.name})
    return HttpResponseRedirect(reverse("account"))


@require_http_methods(["GET"])
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    context = {
        "member": user.membership(),
        "twofactor": twofactor.status(user),
        "passkeys": list(user.passkeys.filter(confirmed=True)),
        "passkeys_available": passkeys.available(),
        "session_count": sessions.live_count(user),
    }
    for extra in hooks.ACCOUNT_CONTEXT.fire(user):  # e.g. the user's API tokens (refuge/wiring/subscribers.py)
        context.update(extra)
    return render(request, "accounts/account.html", context)


@require_POST
@login_required
def end_my_sessions(request: HttpRequest) -> HttpResponse:
    """Log out everywhere: every session of this user ends, this one included."""
    actions.end_user_sessions(user=request.user, actor=request.user)  # type: ignore[arg-type]  # a User
    request.session.flush()
    messages.success(request, _("You were logged out everywhere."))
    return HttpResponseRedirect(reverse("login"))


@require_http_methods(["GET", "POST"])
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """A new password ends every other session of the user; this one goes on."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.change_password(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # this one continues under a new key
        sessions.record(user, request.session)
        messages.success(request, _("Your password was changed. Every other session was logged out."))
        return HttpResponseRedirect(reverse("account"))
    return render(request, "accounts/password_change.html", {"form": form}, status=422 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Type the password (and code) again before a sensitive step."""
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = ReauthForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        request.session[sessions.REAUTH_AT] = time.time()
        return HttpResponseRedirect(next_url)
    if getattr(request, THROTTLED_ATTR, 0):
        # A session that keeps guessing its own password is not its owner's: it ends (the account does not).
        logout(request)
        messages.error(request, _("Too many wrong passwords: this session has ended. Log in again."))
        return HttpResponseRedirect(reverse("login"))
    context = {"form": form, "next": next_url, "options": None, "unavailable": ""}
    if form.needs_passkey:
        context["options"], context["unavailable"] = _options(
            lambda: passkeys.authentication_options(request, user, purpose="reauth")
        )
    return render(request, "accounts/reauth.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
@require_recent_auth
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    if not (twofactor.has_device(user) or passkeys.has_passkey(user)):
        return HttpResponseRedirect(reverse("two_factor_enrol"))
    codes = twofactor.new_recovery_codes(user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account")})


@require_POST
@login_required
def account_language(request: HttpRequest) -> HttpResponse:
    """The interface's language for this user on every device; blank follows the browser."""
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    language = request.POST.get("language", "")
    if language not in dict(User._meta.get_field("language").choices or []):
        messages.error(request, _("Choose one of the listed languages."))
        return HttpResponseRedirect(reverse("account"), status=303)
    user.language = language
    user.save(update_fields=["language"])
    if language:
        translation.activate(language)
    messages.success(request, _("Your language was saved."))
    return HttpResponseRedirect(reverse("account"))
