"""The extension points (refuge/hooks.py) and the one place their subscribers are connected."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save

from refuge import hooks
from refuge.wiring import subscribers


def _hooks() -> dict[str, hooks.Hook[..., Any]]:
    return {name: value for name, value in vars(hooks).items() if isinstance(value, hooks.Hook)}


def test_every_extension_point_has_a_subscriber_once_the_apps_are_ready() -> None:
    found = _hooks()
    assert len(found) >= 9
    idle = sorted(name for name, hook in found.items() if not hook.subscribers)
    assert not idle, f"extension points nobody subscribes to: {idle}"


def test_connecting_again_changes_nothing() -> None:
    before = {name: hook.subscribers for name, hook in _hooks().items()}
    receivers = [len(signal.receivers) for signal in (post_save, post_delete, user_logged_in)]
    subscribers.connect()
    assert {name: hook.subscribers for name, hook in _hooks().items()} == before
    assert [len(signal.receivers) for signal in (post_save, post_delete, user_logged_in)] == receivers


def test_statistics_are_counted_before_alerts_are_queued() -> None:
    order = [fn.__name__ for fn in hooks.CASE_RECOMPUTED.subscribers]
    assert order.index("refresh_stats") < order.index("queue_recomputed")


def test_a_failing_subscriber_does_not_stop_the_others_when_fired_robustly() -> None:
    hook: hooks.Hook[[], None] = hooks.Hook("TEST")
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    hook.connect(broken)
    hook.connect(lambda: ran.append("second"))
    hook.fire_robustly()
    assert ran == ["second"]
