from django.urls import path

from ..views import decisions

urlpatterns = [
    path("keputusan/jadwal/<int:pk>/", decisions.session_decide, name="session_decide"),
    path(
        "keputusan/jadwal/<int:pk>/ringkasan/",
        decisions.session_decision_panel,
        name="session_decision_panel",
    ),
    path(
        "keputusan/jadwal/<int:pk>/dilaporkan/",
        decisions.session_reported,
        name="session_reported",
    ),
    path(
        "keputusan/jadwal/<int:pk>/daftar-bnsp/",
        decisions.session_bnsp_list,
        name="session_bnsp_list",
    ),
    path("keputusan/jadwal/<int:pk>/hasil/", decisions.session_results, name="session_results"),
    path("keputusan/asesi/<int:pk>/", decisions.enrolment_decide, name="enrolment_decide"),
    path(
        "keputusan/asesi/<int:pk>/banding/",
        decisions.enrolment_appeal_panel,
        name="enrolment_appeal_panel",
    ),
    path("keputusan/asesi/<int:pk>/banding/baru/", decisions.appeal_create, name="appeal_create"),
    path("keputusan/banding/<int:pk>/", decisions.appeal_decide, name="appeal_decide"),
]
