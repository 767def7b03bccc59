from django.urls import path

from ..views import assessors as views

urlpatterns = [
    path("asesor/", views.AssessorList.as_view(), name="assessor_list"),
    path("asesor/unduh/", views.assessor_export, name="assessor_export"),
    path("asesor/baru/", views.AssessorCreate.as_view(), name="assessor_create"),
    path("asesor/profil/", views.assessor_profile, name="assessor_profile"),
    path("asesor/<int:pk>/", views.assessor_detail, name="assessor_detail"),
    path("asesor/<int:pk>/ubah/", views.AssessorUpdate.as_view(), name="assessor_update"),
    path(
        "asesor/<int:pk>/sertifikat/baru/",
        views.certificate_create,
        name="assessor_certificate_create",
    ),
    path(
        "asesor/sertifikat/<int:pk>/berkas/",
        views.certificate_file,
        name="assessor_certificate_file",
    ),
    path("asesor/<int:pk>/ruang-lingkup/baru/", views.scope_create, name="assessor_scope_create"),
    path("asesor/ruang-lingkup/<int:pk>/hapus/", views.scope_delete, name="assessor_scope_delete"),
]
