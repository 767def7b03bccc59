from django.urls import path  # each part of the app adds its paths below

urlpatterns = []

# Bulk issuance: the session's panel and button, the job's progress and downloads.
from .views import issue  # noqa: E402

urlpatterns += [
    path("sertifikat/sesi/<int:pk>/", issue.session_certificates, name="session_certificates"),
    path("sertifikat/terbitkan/<int:pk>/", issue.session_issue, name="session_issue"),
    path("sertifikat/proses/<int:pk>/", issue.issue_job, name="issue_job"),
    path(
        "sertifikat/proses/<int:pk>/kemajuan/",
        issue.issue_job_progress,
        name="issue_job_progress",
    ),
    path("sertifikat/proses/<int:pk>/zip/", issue.issue_job_zip, name="issue_job_zip"),
    path("sertifikat/proses/<int:pk>/cetak/", issue.issue_job_merged, name="issue_job_merged"),
]

# The certificate's PDF (the stored file, or rendered and stored on demand).
from .views.pdf import certificate_pdf_view  # noqa: E402

urlpatterns += [
    path("sertifikat/<int:pk>/pdf/", certificate_pdf_view, name="certificate_pdf"),
]

# --- verification (public; the address is printed in QR codes: never change it) and staff pages ---
from .views import pages, verify  # noqa: E402

urlpatterns += [
    path("verifikasi/", verify.certificate_search, name="certificate_search"),
    path("verifikasi/<uuid:public_id>/", verify.certificate_verify, name="certificate_verify"),
    path("sertifikat/", pages.CertificateList.as_view(), name="certificate_list"),
    path("sertifikat/excel/", pages.certificate_export, name="certificate_export"),
    path("sertifikat/<int:pk>/", pages.certificate_detail, name="certificate_detail"),
    path("sertifikat/<int:pk>/blanko/", pages.certificate_blank, name="certificate_blank"),
    path("sertifikat/<int:pk>/cabut/", pages.certificate_revoke, name="certificate_revoke"),
    path(
        "sertifikat/<int:pk>/terbitkan-ulang/",
        pages.certificate_reissue,
        name="certificate_reissue",
    ),
    path("sertifikat/blanko/", pages.blank_import, name="blank_import"),
    path("sertifikat/blanko/<int:pk>/", pages.blank_import_preview, name="blank_import_preview"),
    path(
        "sertifikat/blanko/<int:pk>/simpan/",
        pages.blank_import_commit,
        name="blank_import_commit",
    ),
]
