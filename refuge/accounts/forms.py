"""Forms of the login steps and the account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from refuge.accounts import passkeys, twofactor
from refuge.accounts.backends import THROTTLED_ATTR
from refuge.accounts.models import User

WRONG_CODE = _("That code is not right. Codes change every 30 seconds: type the one shown now.")
THROTTLED = _("Too many wrong codes: wait a minute, then try again.")
SLOWED = _("Too many failed logins for this name: wait %(seconds)s seconds, then try again.")
NO_TOTP = _("Your organisation accepts your passkey, or a recovery code, here: not a code from the app.")


class LoginForm(AuthenticationForm):
    """Django's form: one message for an unknown name and a wrong password, and for an unknown
    name Django's ModelBackend still hashes the password once, so both take the same time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")
        self.throttled = 0

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            # The same answer whether or not the name exists: unknown names are throttled alike.
            self.throttled = int(getattr(self.request, THROTTLED_ATTR, 0) or 0)
            if self.throttled:
                raise forms.ValidationError(SLOWED % {"seconds": self.throttled}, code="throttled") from None
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Any = None

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        totp = twofactor.totp_accepted(self.user)
        if not totp and twofactor.normalise_code(code).isdigit():
            raise forms.ValidationError(NO_TOTP)
        waiting = twofactor.throttled(self.user, code)
        self.device = None if waiting else twofactor.verify(self.user, code, totp=totp)
        if self.device is None:
            raise forms.ValidationError(THROTTLED if waiting else WRONG_CODE)
        return code


class PasskeyForm(forms.Form):
    """The browser's answer to navigator.credentials.get(), as JSON (filled in by passkeys.js)."""

    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)

    def __init__(self, *args: Any, request: HttpRequest, user: User, purpose: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.purpose = purpose
        self.passkey: Any = None

    def clean_credential(self) -> str:
        text: str = self.cleaned_data["credential"]
        try:
            self.passkey = passkeys.verify_assertion(self.request, self.user, text, purpose=self.purpose)
        except passkeys.PasskeyError as exc:
            raise forms.ValidationError(str(exc)) from None
        return text


class NewPasskeyForm(forms.Form):
    """A name for the passkey, and the browser's answer to navigator.credentials.create() (passkeys.js)."""

    name = forms.CharField(
        label=_("Name of this passkey"),
        max_length=64,
        help_text=_("So that you can tell your keys apart, for example “blue security key” or “work laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.new: passkeys.NewCredential | None = None

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the passkey a name."))
        if self.user.passkeys.filter(name=name).exists():
            raise forms.ValidationError(_("You have a passkey of that name already: choose another."))
        return name

    def clean_credential(self) -> str:
        text: str = self.cleaned_data["credential"]
        if "name" in self.errors:
            return text  # the challenge stays for the next try, with a better name
        try:
            self.new = passkeys.verify_registration(self.request, self.user, text)
        except passkeys.PasskeyError as exc:
            raise forms.ValidationError(str(exc)) from None
        return text


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, device: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.time_step: int | None = None

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        self.time_step = twofactor.check_enrolment_code(self.device, code)
        if self.time_step is None:
            raise forms.ValidationError(WRONG_CODE)
        return code


class ReauthForm(forms.Form):
    """The password again, and the passkey when the user has one, else the code when she has a device
    (throttled as the login is)."""

    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        required=False,
        help_text=_("From your authenticator app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        # A server moved to an IP address cannot ask for passkeys: the code, as before them.
        self.needs_passkey = passkeys.has_passkey(user) and passkeys.available()
        self.needs_code = twofactor.has_device(user) and not self.needs_passkey
        if not self.needs_code:
            del self.fields["code"]
        if self.needs_passkey:
            self.fields["credential"] = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password is None:
            return data
        who = authenticate(self.request, username=self.user.get_username(), password=password)
        if who is None or who.pk != self.user.pk:
            raise forms.ValidationError(_("That password is not right."), code="invalid_login")
        code = data.get("code") or ""
        if self.needs_passkey:
            try:
                passkeys.verify_assertion(self.request, self.user, data.get("credential") or "", purpose="reauth")
            except passkeys.PasskeyError as exc:
                raise forms.ValidationError(str(exc), code="passkey") from None
        if self.needs_code:
            waiting = twofactor.throttled(self.user, code)
            if waiting or twofactor.verify(self.user, code) is None:
                self.add_error("code", THROTTLED if waiting else WRONG_CODE)
        return data
