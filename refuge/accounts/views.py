"""Login (password, then a second factor), enrolment, the account page and re-authentication."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts import actions, sessions, twofactor
from refuge.accounts.backends import THROTTLED_ATTR
from refuge.accounts.decorators import require_recent_auth
from refuge.accounts.forms import CodeForm, EnrolForm, LoginForm, ReauthForm
from refuge.accounts.models import User
from refuge.api.tokens import live_tokens
from refuge.audit import actions as audit
from refuge.audit.events import EventType


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

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if twofactor.requires_second_factor(user):
            twofactor.begin(self.request, user, next_url=self.get_success_url())
            return HttpResponseRedirect(reverse("two_factor"))
        return super().form_valid(form)

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            response["Retry-After"] = str(form.throttled)
        return response


login_view = RefugeLoginView.as_view()


def _to_login(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your login took too long or has ended. Please log in again."))
    return HttpResponseRedirect(reverse("login"))


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app, or a recovery code."""
    user = twofactor.pending_user(request)
    if user is None:
        return _to_login(request)
    if not twofactor.has_device(user):
        return HttpResponseRedirect(reverse("two_factor_enrol"))
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
        return HttpResponseRedirect(next_url)
    return render(request, "accounts/two_factor.html", {"form": form}, status=422 if form.errors else 200)


def _enrolling_user(request: HttpRequest) -> tuple[User | None, bool]:
    """(who enrols, whether that is a pending login) — a pending login, or a logged-in user without a device."""
    pending = twofactor.pending_user(request)
    if pending is not None:
        return pending, True
    if request.user.is_authenticated:
        return request.user, False  # type: ignore[return-value]  # authenticated: a User
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


@require_http_methods(["GET"])
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    context = {
        "member": user.membership(),
        "twofactor": twofactor.status(user),
        "session_count": sessions.live_count(user),
        "tokens": list(live_tokens(user)),
    }
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
        with transaction.atomic():
            user = form.save()  # User.save ends all of the user's sessions
            audit.record(type=EventType.PASSWORD_CHANGED, actor=user, target=user, fields=["password"])
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
    context = {"form": form, "next": next_url}
    return render(request, "accounts/reauth.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
@require_recent_auth
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    if not twofactor.has_device(user):
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
