"""`refuge.cases.bulk` adapts values as Django's own save does, without its per-value layers."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from refuge.cases import bulk
from refuge.cases.derived import DerivedChange
from refuge.cases.models import Event
from refuge.stats.models import StatTotal
from refuge.vault import crypto
from refuge.vault.fields import Ciphertext

INSTANTS = [
    None,
    datetime(2026, 3, 6, 10, 0, tzinfo=UTC),
    datetime(2026, 3, 6, 10, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Moscow")),
    datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")),  # the hour that comes twice
    datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    datetime(2026, 3, 6, 10, 0),  # noqa: DTZ001  # naive: passed as it is
]


@pytest.mark.parametrize("value", INSTANTS)
def test_an_instant_is_adapted_as_the_backend_adapts_it(value):
    field = Event._meta.get_field("at")
    assert bulk._adapter(field, connection)(value) == connection.ops.adapt_datetimefield_value(value)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own adapter")
def test_sqlites_instant_adapter_is_the_backends():
    adapt = bulk._sqlite_instant(connection.timezone)
    for value in INSTANTS:
        assert adapt(value) == connection.ops.adapt_datetimefield_value(value)


def test_a_json_text_seals_to_the_same_plaintext_and_refuses_what_json_cannot_hold():
    field = Event._meta.get_field("text_attributes")
    key = bytes(range(32))
    sealer = crypto.FieldSealer(key, 1)
    value = {"authority": "Суд (fictional)", "place": "평양 (fictional)"}
    blob = sealer(field.encode(value), label=field.label, code="code-1")  # as the import seals it (_EventWriter)
    plain = crypto.decrypt_field(key, blob, label=field.label, code="code-1")
    assert field.decode(plain) == value
    assert plain == field.encode(field.to_plain(value))
    for other in (value, [1, 2.5, None, True], "text", {"nested": {"a": ["б", "북"]}}, 7, None):
        assert field.encode(other) == json.dumps(other, ensure_ascii=False, separators=(",", ":")).encode()
    with pytest.raises(TypeError):
        field.to_plain({"x": object()})
    with pytest.raises(TypeError):  # `encode` refuses what JSON cannot hold, as `to_plain` does
        field.encode({"x": object()})


@pytest.mark.parametrize(("model", "name"), [(Event, "utc_offset_minutes"), (StatTotal, "year"), (StatTotal, "n")])
def test_an_integer_is_adapted_as_its_field_adapts_it(model, name):
    field = model._meta.get_field(name)
    adapt = bulk._adapter(field, connection)
    for value in (None, 0, -570, 180, 2026, 32767, True):
        expected = field.get_db_prep_value(value, connection, prepared=False)
        assert adapt(value) == expected and type(adapt(value)) is type(expected)


def test_a_uuid_is_adapted_as_its_field_adapts_it():
    field = Event._meta.get_field("code")
    adapt = bulk._adapter(field, connection)
    for value in (None, uuid.uuid4(), uuid.UUID(int=0), str(uuid.uuid4())):
        assert adapt(value) == field.get_db_prep_value(value, connection)


def test_a_ciphertext_is_adapted_as_its_field_adapts_it_and_a_plaintext_still_refused():
    field = Event._meta.get_field("note")
    adapt = bulk._adapter(field, connection)
    blob = Ciphertext(b"\x01\x00\x00\x00\x01sealed")
    made, expected = adapt(blob), field.get_db_prep_value(blob, connection)
    assert type(made) is type(expected)
    assert bytes(getattr(made, "obj", made)) == bytes(getattr(expected, "obj", expected))  # psycopg's Binary holds it
    assert adapt(None) is None
    with pytest.raises(TypeError):
        adapt("a plaintext")


def test_equal_instants_read_once_are_adapted_as_the_backend_adapts_each():
    field = Event._meta.get_field("at")
    adapt = bulk._adapter(field, connection)  # one statement's adapter: it keeps what it made
    moscow = datetime(2026, 3, 6, 13, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    again = [*INSTANTS, *INSTANTS, moscow, moscow.astimezone(UTC), moscow.astimezone(ZoneInfo("Asia/Seoul"))]
    for value in again:
        assert adapt(value) == connection.ops.adapt_datetimefield_value(value)


JSON_VALUES = [[], {}, None, [1, 2.5, None, True], {"a": ["б", "북"], "n": {}}, "text", 0, "", [[]], {"": []}]


@pytest.mark.parametrize(
    "field",
    [
        Event._meta.get_field("attributes"),
        DerivedChange._meta.get_field("before"),  # null=True: None is NULL, not the text null
        models.JSONField(null=True, encoder=DjangoJSONEncoder),
        models.JSONField(encoder=DjangoJSONEncoder),
    ],
)
def test_a_json_value_is_adapted_as_its_field_adapts_it(field):
    adapt = bulk._adapter(field, connection)
    values = [*JSON_VALUES, datetime(2026, 3, 6, 10, 0, tzinfo=UTC)] if field.encoder else JSON_VALUES
    for value in values:
        if value is None and not field.null:
            continue  # a save would send NULL to a NOT NULL column; the rows insert_rows takes have none
        made, expected = adapt(value), field.get_db_prep_save(value, connection)
        assert type(made) is type(expected)
        assert getattr(made, "obj", made) == getattr(expected, "obj", expected)  # psycopg's Jsonb holds it
