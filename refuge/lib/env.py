"""Settings from the environment, each failing loudly on a bad value (STYLE.md §9)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def env_timezone(name: str, default: str) -> str:
    """An IANA time zone name (Europe/Moscow)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415  # only where a zone is read

    value = os.environ.get(name, default).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an IANA time zone such as Europe/Moscow; got {value!r}") from None
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE names {file_name!r}, which cannot be read: {exc.strerror}"
            ) from None
    return os.environ.get(name, default)


def env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name, default)).expanduser().resolve()


def env_addresses(name: str) -> list[str]:
    """Comma-separated IP addresses or networks (127.0.0.1, 10.0.0.0/8, ::1); empty when unset."""
    import ipaddress  # noqa: PLC0415  # only where addresses are read

    values = env_list(name, [])
    for value in values:
        try:
            ipaddress.ip_network(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks such as 127.0.0.1 or 10.0.0.0/24; got {value!r}"
            ) from None
    return values


def env_age_recipients(name: str) -> list[str]:
    """age public keys (age1…), comma-separated, or the path of a file listing one per line (# comments)."""
    import pyrage  # noqa: PLC0415  # only where recipients are read

    raw = os.environ.get(name, "").strip()
    if not raw:
        return []
    if raw.startswith("age1"):
        values = [item.strip() for item in raw.split(",") if item.strip()]
        where = name
    else:
        path = Path(raw).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(
                f"{name} must be age public keys (age1…) or a file listing them; {raw!r} cannot be read: {exc}"
            ) from None
        values = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
        where = f"{name} (the file {path})"
    if not values:
        raise ImproperlyConfigured(f"{where} lists no age public key")
    for value in values:
        try:
            pyrage.x25519.Recipient.from_str(value)
        except pyrage.RecipientError:
            raise ImproperlyConfigured(
                f"{where}: {value[:12]}… is not an age X25519 public key (age1…, from age-keygen)"
            ) from None
    return values


def terminal_language(languages: list[str], default: str = "en") -> str:
    """The operator's language for a command's messages, from the POSIX locale variables (LANGUAGE,
    LC_ALL, LC_MESSAGES, LANG, in that order): `ru_RU.UTF-8` gives `ru` when `ru` is in `languages`."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in os.environ.get(name, "").split(":"):
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            if code in languages:
                return code
            if code and name != "LANGUAGE":
                return default  # the first locale variable that is set decides
    return default
