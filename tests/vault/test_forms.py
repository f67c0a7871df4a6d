"""A ModelForm edits the plaintext of encrypted fields (what the case pages will do)."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from refuge.vault.models import VaultProbe

pytestmark = pytest.mark.django_db


class ProbeForm(forms.ModelForm):
    class Meta:
        model = VaultProbe
        fields = ["text", "numbers", "day"]


def test_a_model_form_shows_and_saves_plaintext(probe: VaultProbe) -> None:
    form = ProbeForm(instance=VaultProbe.objects.get(pk=probe.pk))
    assert form.initial["text"] == "Lives at 12 Hidden Lane"
    assert form.initial["day"] == date(1980, 1, 1)
    assert isinstance(form.fields["day"], forms.DateField)
    form = ProbeForm(
        {"text": "Moved to 3 Quiet Street", "numbers": '["CD 42"]', "day": "1979-12-31"},
        instance=VaultProbe.objects.get(pk=probe.pk),
    )
    assert form.is_valid(), form.errors
    form.save()
    loaded = VaultProbe.objects.get(pk=probe.pk)
    assert (loaded.text, loaded.numbers, loaded.day) == ("Moved to 3 Quiet Street", ["CD 42"], date(1979, 12, 31))


def test_a_model_form_rejects_a_bad_date(probe: VaultProbe) -> None:
    form = ProbeForm({"text": "x", "numbers": "[]", "day": "31/31/1980"}, instance=probe)
    assert not form.is_valid()
    assert "day" in form.errors
