"""The project's URLs plus test endpoints."""

from __future__ import annotations

from django.urls import path

from refuge.urls import urlpatterns as project_urlpatterns
from tests.vault import views_test

urlpatterns = [
    *project_urlpatterns,
    path("vault-test/upload/<uuid:code>/", views_test.upload, name="vault_test_upload"),
    path("vault-test/whoami/", views_test.whoami, name="vault_test_whoami"),
]
