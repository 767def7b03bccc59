from django.urls import path

from ..views import documents

urlpatterns = [
    path(
        "dokumen/jadwal/<int:pk>/<slug:kind>/",
        documents.session_document,
        name="session_document",
    ),
    path(
        "dokumen/pendaftaran/<int:pk>/<slug:kind>/",
        documents.enrolment_document,
        name="enrolment_document",
    ),
]
