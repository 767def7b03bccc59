from django.urls import include, path

urlpatterns = [
    path("", include("assessors.urls.watch")),
    path("", include("assessors.urls.imports")),
    path("", include("assessors.urls.assessors")),
]
