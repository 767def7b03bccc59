from django.urls import include, path

urlpatterns = [
    path("", include("assessments.urls.candidates")),
    path("", include("assessments.urls.schemes")),
    path("", include("assessments.urls.imports")),
    path("", include("assessments.urls.sessions")),
    path("", include("assessments.urls.assessing")),
    path("", include("assessments.urls.decisions")),
    path("", include("assessments.urls.documents")),
    path("", include("assessments.urls.funding")),
]
