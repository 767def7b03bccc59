from django.urls import path

from ..views import assessing as views

urlpatterns = [
    path("asesmen/", views.assess_home, name="assess_home"),
    path("asesmen/jadwal/<int:pk>/", views.assess_session, name="assess_session"),
    path("asesmen/jadwal/<int:pk>/laporan/", views.assess_report, name="assess_report"),
    path("asesmen/peserta/<int:pk>/", views.assess_enrolment, name="assess_enrolment"),
    path("asesmen/peserta/<int:pk>/persetujuan/", views.assess_agreement, name="assess_agreement"),
    path("asesmen/peserta/<int:pk>/asesmen-mandiri/", views.assess_self, name="assess_self"),
    path("asesmen/peserta/<int:pk>/verdik/", views.assess_verdicts, name="assess_verdicts"),
    path(
        "asesmen/peserta/<int:pk>/unit/<int:unit_pk>/",
        views.assess_unit_verdict,
        name="assess_unit_verdict",
    ),
    path("asesmen/peserta/<int:pk>/umpan-balik/", views.assess_feedback, name="assess_feedback"),
    path("asesmen/peserta/<int:pk>/kirim/", views.assess_submit, name="assess_submit"),
    path("asesmen/peserta/<int:pk>/buka-kembali/", views.assess_reopen, name="assess_reopen"),
    path(
        "asesmen/peserta/<int:pk>/rekap/",
        views.assess_verdict_summary,
        name="assess_verdict_summary",
    ),
]
