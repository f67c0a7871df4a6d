"""E-mail over SMTP: plain text and HTML, with the signed acknowledge link.

The Message-ID is made from the outbox row's idempotency key, so a message sent again after a
crash (between the server's acceptance and our marking it sent) is the same message to every
mail client. SMTP 5xx answers and refused recipients are permanent; the rest is retried.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from refuge.alerts.channels.base import Channel, TransportError
from refuge.alerts.message import compose

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.alerts.models import AlertSettings, Delivery


class EmailChannel(Channel):
    kind = "email"
    label = "E-mail"

    def address_for(self, user: User, prefs: AlertSettings) -> str | None:
        return user.email or None

    def send(self, delivery: Delivery) -> None:
        message = compose(delivery)
        key = str(delivery.idempotency_key)
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.REFUGE_MAIL_FROM,
            to=[delivery.address],
            headers={"Message-ID": f"<{key}@refuge.alerts>", "X-Refuge-Idempotency-Key": key},
        )
        mail.attach_alternative(message.html, "text/html")
        security = settings.REFUGE_SMTP_SECURITY
        connection = get_connection(
            settings.REFUGE_EMAIL_BACKEND,
            host=settings.REFUGE_SMTP_HOST,
            port=settings.REFUGE_SMTP_PORT,
            username=settings.REFUGE_SMTP_USER or None,
            password=settings.REFUGE_SMTP_PASSWORD or None,
            use_tls=security == "starttls",
            use_ssl=security == "tls",
            timeout=settings.REFUGE_SMTP_TIMEOUT,
            fail_silently=False,
        )
        try:
            sent = connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError("the mail server refused the recipient", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise TransportError(f"the mail server answered {exc.smtp_code}", permanent=exc.smtp_code >= 500) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"no mail server: {type(exc).__name__}") from exc
        if sent != 1:
            raise TransportError("the mail server did not take the message")
