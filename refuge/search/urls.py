"""Search: a page for names, document numbers and references; the intake's check for a known client."""

from __future__ import annotations

from django.urls import path

from refuge.search import views

urlpatterns = [
    path("", views.search, name="search"),
    path("possible-matches/", views.possible_matches, name="search_possible_matches"),
]
