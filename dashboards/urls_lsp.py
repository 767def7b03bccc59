from django.urls import path

from . import views_lsp

urlpatterns = [
    path("lsp/<int:pk>/dasbor/", views_lsp.lsp_dashboard, name="lsp_dashboard"),
]
