from django.urls import path

from ..views import enrolments, sessions

urlpatterns = [
    path("jadwal/", sessions.SessionList.as_view(), name="session_list"),
    path("jadwal/baru/", sessions.session_create, name="session_create"),
    path("jadwal/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("jadwal/<int:pk>/ubah/", sessions.session_update, name="session_update"),
    path("jadwal/<int:pk>/status/", sessions.session_status, name="session_status"),
    path("jadwal/<int:pk>/daftarkan/", enrolments.session_enrol, name="session_enrol"),
    path(
        "jadwal/penugasan/<int:pk>/imparsialitas/",
        sessions.session_impartiality,
        name="session_impartiality",
    ),
    path("jadwal/asesi/<int:pk>/", enrolments.enrolment_detail, name="enrolment_detail"),
    path("jadwal/asesi/<int:pk>/apl01/", enrolments.enrolment_apply, name="enrolment_apply"),
    path(
        "jadwal/asesi/<int:pk>/kelayakan/",
        enrolments.enrolment_eligibility,
        name="enrolment_eligibility",
    ),
    path("jadwal/asesi/<int:pk>/penugasan/", enrolments.enrolment_assign, name="enrolment_assign"),
    path("jadwal/asesi/<int:pk>/hapus/", enrolments.enrolment_delete, name="enrolment_delete"),
    path("jadwal/bukti/<int:pk>/", enrolments.evidence_file, name="evidence_file"),
    path("jadwal/bukti/<int:pk>/hapus/", enrolments.evidence_delete, name="evidence_delete"),
]
