from django.contrib import admin

from .models import Assessor, AssessorCertificate, TechnicalScope


class CertificateInline(admin.TabularInline):
    model = AssessorCertificate
    extra = 0


class ScopeInline(admin.TabularInline):
    model = TechnicalScope
    extra = 0
    autocomplete_fields = ["scheme"]


@admin.register(Assessor)
class AssessorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "met_number", "home_school"]
    search_fields = ["full_name", "met_number", "nik"]
    list_select_related = ["home_school"]
    autocomplete_fields = ["home_school", "user"]
    filter_horizontal = ["lsps"]
    inlines = [CertificateInline, ScopeInline]
