from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from .views import resources, sessions
from .views.tokens import token_list, token_revoke
from .views.verify import VerifyView

router = DefaultRouter()
router.include_format_suffixes = False
router.register("schools", resources.SchoolViewSet, basename="api-school")
router.register("lsps", resources.LspViewSet, basename="api-lsp")
router.register("tuks", resources.TukViewSet, basename="api-tuk")
router.register("schemes", resources.SchemeViewSet, basename="api-scheme")
router.register("assessors", resources.AssessorViewSet, basename="api-assessor")
router.register("students", resources.StudentViewSet, basename="api-student")
router.register("sessions", sessions.SessionViewSet, basename="api-session")
router.register("enrolments", sessions.EnrolmentViewSet, basename="api-enrolment")
router.register("certificates", resources.CertificateViewSet, basename="api-certificate")

urlpatterns = [
    path("api/v1/verify/<uuid:public_id>/", VerifyView.as_view(), name="api-verify"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("akun/token-api/", token_list, name="api_token_list"),
    path("akun/token-api/<int:pk>/cabut/", token_revoke, name="api_token_revoke"),
]
