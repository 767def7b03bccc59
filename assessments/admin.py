from django.contrib import admin

from .models import Candidate, Criterion, Element, Scheme, SchemeUnit, Unit


class SchemeUnitInline(admin.TabularInline):
    model = SchemeUnit
    extra = 0
    autocomplete_fields = ["unit"]
    ordering = ["order"]


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "kkni_level", "lsp", "is_active"]
    list_filter = ["kind", "is_active", "lsp"]
    search_fields = ["code", "title", "title_en"]
    list_select_related = ["lsp"]
    inlines = [SchemeUnitInline]


class ElementInline(admin.TabularInline):
    model = Element
    extra = 0
    show_change_link = True  # the KUK are edited on the element's page


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "lsp"]
    list_filter = ["lsp"]
    search_fields = ["code", "title", "title_en"]
    list_select_related = ["lsp"]
    inlines = [ElementInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Element)
class ElementAdmin(admin.ModelAdmin):
    list_display = ["unit", "number", "title"]
    search_fields = ["title", "unit__code"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [CriterionInline]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "nisn", "school"]
    list_filter = ["level", "school_year", "concentration"]
    search_fields = ["full_name", "nisn"]
    list_select_related = ["school"]
    autocomplete_fields = ["school"]
