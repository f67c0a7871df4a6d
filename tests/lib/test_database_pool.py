"""PostgreSQL connections come from one pool per process, with a ceiling set in the environment."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections

from refuge import settings as refuge_settings

URL = "postgres://refuge@db.example.org:5432/refuge"


def databases(monkeypatch, **environ: str) -> dict:
    for name in ("REFUGE_DB_POOL", "REFUGE_DB_POOL_MIN", "REFUGE_DB_POOL_MAX", "REFUGE_DB_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REFUGE_DATABASE_URL", URL)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return refuge_settings._databases()["default"]


def test_postgresql_is_pooled_by_default_with_its_ceiling(monkeypatch):
    config = databases(monkeypatch)
    assert config["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 30}
    assert config["CONN_MAX_AGE"] == 0  # the pool keeps the connections, not each thread
    config = databases(monkeypatch, REFUGE_DB_POOL_MIN="2", REFUGE_DB_POOL_MAX="6", REFUGE_DB_POOL_TIMEOUT="5")
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 6, "timeout": 5}


def test_the_pool_can_be_turned_off(monkeypatch):
    config = databases(monkeypatch, REFUGE_DB_POOL="false")
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(("low", "high"), [("5", "2"), ("1", "0"), ("-1", "4")])
def test_a_bad_pool_size_stops_start_up(monkeypatch, low, high):
    with pytest.raises(ImproperlyConfigured, match="REFUGE_DB_POOL_M"):
        databases(monkeypatch, REFUGE_DB_POOL_MIN=low, REFUGE_DB_POOL_MAX=high)


@pytest.mark.django_db(transaction=True)
def test_threads_share_the_pool_and_never_pass_its_ceiling():
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("pool"):
        pytest.skip("PostgreSQL with its pool only")
    ceiling = connection.settings_dict["OPTIONS"]["pool"]["max_size"]
    backends: set[int] = set()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid() FROM pg_sleep(0.2)")
                with lock:
                    backends.add(cursor.fetchone()[0])
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()  # back to the pool, as at a request's end

    threads = [threading.Thread(target=work) for _ in range(ceiling * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert 1 <= len(backends) <= ceiling  # 3 x as many threads as connections: they waited their turn
    stats = connection.pool.get_stats()
    assert stats["pool_max"] == ceiling
    assert stats["pool_size"] <= ceiling
