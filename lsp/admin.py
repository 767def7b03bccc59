from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEntry,
    Concentration,
    Education,
    FundingProgramme,
    FundingQuota,
    FundingSource,
    Lsp,
    Occupation,
    Programme,
    Province,
    Regency,
    Role,
    School,
    Tuk,
    User,
)

admin.site.site_header = _("Kompeten administration")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["province", "kind"]
    search_fields = ["code", "name"]


class ConcentrationInline(admin.TabularInline):
    model = Concentration
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    inlines = [ConcentrationInline]


@admin.register(Concentration)
class ConcentrationAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "programme"]
    list_filter = ["programme"]
    search_fields = ["name", "abbreviation"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["npsn", "name", "status", "regency"]
    list_filter = ["status", "regency__province", "regency"]
    search_fields = ["npsn", "name"]
    list_select_related = ["regency"]
    filter_horizontal = ["concentrations"]


@admin.register(Lsp)
class LspAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "licence_number", "licence_valid_until"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "licence_number"]
    autocomplete_fields = ["host_school"]
    filter_horizontal = ["network_schools"]


@admin.register(Tuk)
class TukAdmin(admin.ModelAdmin):
    list_display = ["name", "lsp", "kind", "verified_on", "verified_until"]
    list_filter = ["kind", "lsp"]
    search_fields = ["name", "code"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["lsp"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Kompeten"), {"fields": ["full_name"]}),)
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    inlines = [RoleInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Education, Occupation)
class CodeListAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default"]
    search_fields = ["code", "name"]


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default", "is_banper"]
    search_fields = ["code", "name"]


class FundingQuotaInline(admin.TabularInline):
    model = FundingQuota
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "kind", "funder", "lsp", "province"]
    list_filter = ["year", "kind", "funder", "province"]
    search_fields = ["name", "reference"]
    list_select_related = ["kind", "lsp", "province"]
    autocomplete_fields = ["lsp"]
    inlines = [FundingQuotaInline]


@admin.register(FundingQuota)
class FundingQuotaAdmin(admin.ModelAdmin):
    list_display = ["programme", "school", "quota", "amount_per_student"]
    list_filter = ["programme__year", "programme__kind"]
    search_fields = ["programme__name", "school__name", "school__npsn"]
    list_select_related = ["programme", "school"]
    autocomplete_fields = ["programme", "school"]
