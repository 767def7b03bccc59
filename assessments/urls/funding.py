from django.urls import path

from ..views import funding

urlpatterns = [
    path("program-dana/", funding.FundingProgrammeList.as_view(), name="funding_programme_list"),
    path("program-dana/baru/", funding.funding_programme_create, name="funding_programme_create"),
    path(
        "program-dana/<int:pk>/",
        funding.FundingProgrammeDetail.as_view(),
        name="funding_programme_detail",
    ),
    path(
        "program-dana/<int:pk>/ubah/",
        funding.funding_programme_edit,
        name="funding_programme_edit",
    ),
    path(
        "program-dana/<int:pk>/excel/",
        funding.funding_programme_export,
        name="funding_programme_export",
    ),
]
