from django.urls import path

from ..views import candidates

urlpatterns = [
    path("asesi/", candidates.CandidateList.as_view(), name="candidate_list"),
    path("asesi/unduh/", candidates.candidate_export, name="candidate_export"),
    path("asesi/baru/", candidates.CandidateCreate.as_view(), name="candidate_create"),
    path("asesi/<int:pk>/", candidates.CandidateDetail.as_view(), name="candidate_detail"),
    path("asesi/<int:pk>/ubah/", candidates.CandidateUpdate.as_view(), name="candidate_update"),
    path("asesi/<int:pk>/foto/", candidates.candidate_photo, name="candidate_photo"),
]
