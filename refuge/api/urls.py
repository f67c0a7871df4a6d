"""The account page's personal access tokens (under /accounts/tokens/)."""

from __future__ import annotations

from django.urls import path

from refuge.api import views

urlpatterns = [
    path("new/", views.token_create, name="api_token_create"),
    path("<uuid:code>/revoke/", views.token_revoke, name="api_token_revoke"),
]
