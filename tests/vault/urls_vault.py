"""The project's URLs plus the vault's (whether or not refuge/urls.py includes them yet), plus test endpoints."""

from __future__ import annotations

from django.urls import include, path

from refuge.urls import urlpatterns as project_urlpatterns
from tests.vault import views_test

_included = any(getattr(p, "urlconf_name", None) == "refuge.vault.urls" for p in project_urlpatterns)
urlpatterns = [
    *project_urlpatterns,
    path("vault-test/upload/<uuid:code>/", views_test.upload, name="vault_test_upload"),
    path("vault-test/whoami/", views_test.whoami, name="vault_test_whoami"),
]
if not _included:
    urlpatterns.append(path("vault/", include("refuge.vault.urls")))
