from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from .views import health, home, users
from .views import institutions as inst

auth_patterns = [
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "akun/sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("akun/lupa-sandi/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "akun/lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "akun/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "akun/reset/selesai/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]


def crud(prefix, name, list_view, create, detail, update):
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/baru/", create.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/ubah/", update.as_view(), name=f"{name}_update"),
    ]


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", RedirectView.as_view(pattern_name="home", permanent=False)),
    path("beranda/", home.home, name="home"),
    path("asesor/beranda/", home.assessor_home, name="assessor_home"),
    path("situs/", home.site_home, name="site_home"),
    *auth_patterns,
    path("bahasa/", include("django.conf.urls.i18n")),
    *crud(
        "provinsi",
        "province",
        inst.ProvinceList,
        inst.ProvinceCreate,
        inst.ProvinceDetail,
        inst.ProvinceUpdate,
    ),
    *crud(
        "wilayah",
        "regency",
        inst.RegencyList,
        inst.RegencyCreate,
        inst.RegencyDetail,
        inst.RegencyUpdate,
    ),
    *crud(
        "sekolah",
        "school",
        inst.SchoolList,
        inst.SchoolCreate,
        inst.SchoolDetail,
        inst.SchoolUpdate,
    ),
    *crud("lsp", "lsp", inst.LspList, inst.LspCreate, inst.LspDetail, inst.LspUpdate),
    path("lsp/<int:pk>/berkas/<str:kind>/", inst.lsp_file, name="lsp_file"),
    *crud("tuk", "tuk", inst.TukList, inst.TukCreate, inst.TukDetail, inst.TukUpdate),
    *crud("pengguna", "user", users.UserList, users.UserCreate, users.UserDetail, users.UserUpdate),
    path("jejak-audit/", users.AuditList.as_view(), name="audit_list"),
    path("", include("lsp.urls_notifications")),
    path("", include("assessors.urls")),
    path("", include("development.urls")),
    path("", include("assessments.urls")),
    path("", include("certificates.urls")),
    path("", include("dashboards.urls_lsp")),
    path("", include("dashboards.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
