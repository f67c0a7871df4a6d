"""Decrypting a page's rows at once (refuge.vault.fields.open_fields, one cipher per key) gives what
reading each field gives, and fails where reading it fails."""

from __future__ import annotations

import pytest
from django.db import connection

from refuge.cases.models import Event, Person, Proceeding
from refuge.vault import crypto
from refuge.vault.fields import ciphertext_of, open_fields

pytestmark = pytest.mark.django_db

EVENT_FIELDS = ("source", "note", "text_attributes")


def _annotated(case):
    """The case's events with free text in every encrypted field, one of them with none."""
    events = list(case.events.order_by("id"))
    for n, event in enumerate(events[1:], start=1):
        event.source = f"Letter <{n}> from the court (fictional)"
        event.note = f"Called the client's brother; Тестов said «да» {n}\nsecond line"
        event.save(update_fields=["source", "note"])
    assert any(e.text_attributes for e in events)
    return events


def test_opened_fields_are_the_fields_read_one_by_one(case) -> None:
    _annotated(case)
    lazy = list(Event.objects.filter(case=case).order_by("id"))
    eager = list(Event.objects.filter(case=case).order_by("id"))
    others = [Person.objects.get(case=case), *Proceeding.objects.filter(case=case)]
    open_fields([*eager, *others])
    for got, want in zip(eager, lazy, strict=True):
        for name in EVENT_FIELDS:
            assert got.__dict__[name].has_plain  # decrypted by open_fields, not by the attribute below
            assert getattr(got, name) == getattr(want, name), name
    assert others[0].names == Person.objects.get(case=case).names
    assert any(e.note for e in eager) and any(e.source for e in eager) and any(not e.note for e in eager)


def test_a_ciphertext_moved_to_another_event_fails_as_it_does_when_read(case) -> None:
    first, second = _annotated(case)[1:3]
    moved = ciphertext_of(first, "note")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_event SET note = %s WHERE id = %s", [bytes(moved), second.pk])
    with pytest.raises(crypto.DecryptionError):
        open_fields(list(Event.objects.filter(pk=second.pk)))
    with pytest.raises(crypto.DecryptionError):
        _ = Event.objects.get(pk=second.pk).note


def test_deferred_and_already_read_fields_are_left_alone(case) -> None:
    _annotated(case)
    events = list(Event.objects.filter(case=case).only("id", "code", "case", "note").order_by("id"))
    events[1].note = "changed here, not saved"
    open_fields(events)
    assert events[1].note == "changed here, not saved"
    assert "source" not in events[1].__dict__  # deferred: still loaded (and decrypted) only when read
    assert events[2].source == Event.objects.get(pk=events[2].pk).source
