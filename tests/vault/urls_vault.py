"""The project's URLs plus the vault's, whether or not refuge/urls.py includes them yet."""

from __future__ import annotations

from django.urls import include, path

from refuge.urls import urlpatterns as project_urlpatterns

_included = any(getattr(p, "urlconf_name", None) == "refuge.vault.urls" for p in project_urlpatterns)
urlpatterns = [*project_urlpatterns]
if not _included:
    urlpatterns.append(path("vault/", include("refuge.vault.urls")))
