"""A server worker settles its garbage collector once the application is loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from refuge.lib import collector


@pytest.fixture
def _restored_collector() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("_restored_collector")
def test_what_was_loaded_is_frozen_and_the_youngest_generation_waits_longer() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    loaded = [{"a": [i]} for i in range(1000)]  # containers alive when the worker settles
    collector.settle()
    assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_threshold() == (collector.FEWER_COLLECTIONS, 10, 10)


@pytest.mark.usefixtures("_restored_collector")
def test_a_higher_threshold_set_by_the_operator_is_kept() -> None:
    gc.set_threshold(collector.FEWER_COLLECTIONS * 2, 5, 5)
    collector.settle()
    assert gc.get_threshold() == (collector.FEWER_COLLECTIONS * 2, 5, 5)


def test_refuge_serve_settles_each_worker_after_loading_the_app() -> None:
    from refuge.cases.management.commands import serve

    source = serve.Command.handle.__code__.co_consts
    hooks = [c for c in source if getattr(c, "co_name", "") == "post_worker_init"]
    assert hooks and "settle" in hooks[0].co_names


@pytest.mark.usefixtures("_restored_collector")
def test_settled_lasts_as_long_as_its_block_then_the_collector_is_as_it_was() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    with collector.settled():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (collector.FEWER_COLLECTIONS, 10, 10)
    assert (gc.get_freeze_count(), gc.get_threshold()) == (0, (700, 10, 10))


@pytest.mark.usefixtures("_restored_collector")
def test_settled_inside_a_settled_worker_leaves_what_the_worker_froze_frozen() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    collector.settle()  # a server worker, once it has loaded the app
    frozen = gc.get_freeze_count()
    with collector.settled():
        pass
    assert gc.get_freeze_count() >= frozen > 0
    assert gc.get_threshold() == (collector.FEWER_COLLECTIONS, 10, 10)
