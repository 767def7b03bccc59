from django.urls import path

from ..views import schemes as views

urlpatterns = [
    path("skema/", views.SchemeList.as_view(), name="scheme_list"),
    path("skema/baru/", views.SchemeCreate.as_view(), name="scheme_create"),
    path("skema/<int:pk>/", views.SchemeDetail.as_view(), name="scheme_detail"),
    path("skema/<int:pk>/ubah/", views.SchemeUpdate.as_view(), name="scheme_update"),
    path("skema/<int:pk>/impor-unit/", views.scheme_import, name="scheme_import"),
    path(
        "skema/<int:pk>/impor-unit/<int:batch>/",
        views.scheme_import_preview,
        name="scheme_import_preview",
    ),
    path(
        "skema/<int:pk>/impor-unit/<int:batch>/simpan/",
        views.scheme_import_commit,
        name="scheme_import_commit",
    ),
    path("skema/templat-unit/", views.scheme_import_template, name="scheme_import_template"),
    path("unit/", views.UnitList.as_view(), name="unit_list"),
    path("unit/baru/", views.UnitCreate.as_view(), name="unit_create"),
    path("unit/<int:pk>/", views.UnitDetail.as_view(), name="unit_detail"),
    path("unit/<int:pk>/ubah/", views.UnitUpdate.as_view(), name="unit_update"),
    path("unit/<int:pk>/elemen/baru/", views.element_create, name="element_create"),
    path("elemen/<int:pk>/ubah/", views.element_update, name="element_update"),
    path("elemen/<int:pk>/hapus/", views.element_delete, name="element_delete"),
    path("elemen/<int:pk>/kuk/baru/", views.criterion_create, name="criterion_create"),
    path("kuk/<int:pk>/ubah/", views.criterion_update, name="criterion_update"),
    path("kuk/<int:pk>/hapus/", views.criterion_delete, name="criterion_delete"),
]
