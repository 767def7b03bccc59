from django.urls import path

from ..views import imports

urlpatterns = [
    path("asesi/impor/", imports.candidate_import, name="candidate_import"),
    path(
        "asesi/impor/templat/<int:school_pk>/",
        imports.candidate_import_template,
        name="candidate_import_template",
    ),
    path(
        "asesi/impor/<int:pk>/", imports.candidate_import_preview, name="candidate_import_preview"
    ),
    path(
        "asesi/impor/<int:pk>/simpan/",
        imports.candidate_import_commit,
        name="candidate_import_commit",
    ),
]
