from django.urls import path

from ..views import logbook, watch

urlpatterns = [
    path("asesor/pantauan/", watch.assessor_watch, name="assessor_watch"),
    path("asesor/pantauan/unduh/", watch.assessor_watch_export, name="assessor_watch_export"),
    path("asesor/<int:pk>/logbook/baru/", logbook.logbook_create, name="logbook_create"),
    path("asesor/logbook/<int:pk>/hapus/", logbook.logbook_delete, name="logbook_delete"),
    path("asesor/logbook/<int:pk>/bukti/", logbook.logbook_evidence, name="logbook_evidence"),
    path("asesor/logbook/impor/", logbook.logbook_import, name="logbook_import"),
    path(
        "asesor/logbook/impor/templat/",
        logbook.logbook_import_template,
        name="logbook_import_template",
    ),
    path(
        "asesor/logbook/impor/<int:pk>/",
        logbook.logbook_import_preview,
        name="logbook_import_preview",
    ),
    path(
        "asesor/logbook/impor/<int:pk>/simpan/",
        logbook.logbook_import_commit,
        name="logbook_import_commit",
    ),
]
