from django.urls import path

from . import views

urlpatterns = [
    path("dasbor/provinsi/", views.province_dashboard, name="province_dashboard"),
    path("dasbor/provinsi/sekolah/", views.province_schools, name="province_dashboard_schools"),
    path("dasbor/kabupaten/<int:pk>/", views.regency_dashboard, name="dashboard_regency"),
    path("dasbor/sekolah/<int:pk>/", views.school_dashboard, name="dashboard_school"),
    path("dasbor/excel/", views.dashboard_export, name="dashboard_export"),
]
