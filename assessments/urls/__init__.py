from django.urls import include, path

urlpatterns = [
    path("", include("assessments.urls.candidates")),
    path("", include("assessments.urls.schemes")),
    path("", include("assessments.urls.imports")),
]
