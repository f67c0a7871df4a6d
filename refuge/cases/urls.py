"""Pages of cases and the authority directory. Every object is named by its opaque UUID code."""

from __future__ import annotations

from django.urls import path

from refuge.cases.views import authorities, documents, events, pages, records

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("cases/", pages.case_list, name="case_list"),
    path("cases/new/", pages.case_new, name="case_new"),
    path("cases/<uuid:code>/", pages.case_detail, name="case_detail"),
    path("cases/<uuid:code>/events/new/", events.event_add, name="event_add"),
    path("cases/<uuid:code>/events/fields/", events.event_fields, name="event_fields"),
    path("cases/<uuid:code>/events/<uuid:event_code>/edit/", events.event_edit, name="event_edit"),
    path("cases/<uuid:code>/events/<uuid:event_code>/delete/", events.event_delete, name="event_delete"),
    path("cases/<uuid:code>/person/", records.person_edit, name="person_edit"),
    path("cases/<uuid:code>/proceedings/new/", records.proceeding_add, name="proceeding_add"),
    path(
        "cases/<uuid:code>/proceedings/<uuid:proceeding_code>/edit/",
        records.proceeding_edit,
        name="proceeding_edit",
    ),
    path(
        "cases/<uuid:code>/proceedings/<uuid:proceeding_code>/delete/",
        records.proceeding_delete,
        name="proceeding_delete",
    ),
    path("cases/<uuid:code>/team/", records.case_team, name="case_team"),
    path("cases/<uuid:code>/delete/", records.case_delete, name="case_delete"),
    path("cases/<uuid:code>/export/", records.case_export, name="case_export"),
    path("cases/<uuid:code>/documents/new/", documents.document_upload, name="document_upload"),
    path(
        "cases/<uuid:code>/documents/<uuid:document_code>/",
        documents.document_download,
        name="document_download",
    ),
    path("authorities/", authorities.authority_list, name="authority_list"),
    path("authorities/new/", authorities.authority_new, name="authority_new"),
    path("authorities/<uuid:code>/edit/", authorities.authority_edit, name="authority_edit"),
]
