from django.urls import path

from ..views import imports

urlpatterns = [
    path("asesor/impor/", imports.assessor_import, name="assessor_import"),
    path(
        "asesor/impor/templat/",
        imports.assessor_import_template,
        name="assessor_import_template",
    ),
    path("asesor/impor/<int:pk>/", imports.assessor_import_preview, name="assessor_import_preview"),
    path(
        "asesor/impor/<int:pk>/simpan/",
        imports.assessor_import_commit,
        name="assessor_import_commit",
    ),
]
