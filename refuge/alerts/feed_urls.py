"""The calendar feeds' URL, outside /alerts/ so that it reads as what it is: /feeds/<token>.ics."""

from __future__ import annotations

from django.urls import path

from refuge.alerts import views_feeds

urlpatterns = [
    path("<str:token>.ics", views_feeds.calendar_feed, name="calendar_feed"),
]
