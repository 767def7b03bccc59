from django.contrib import admin

from .models import Activity, ActivityKind, Teacher


@admin.register(ActivityKind)
class ActivityKindAdmin(admin.ModelAdmin):
    """The reference values: a superuser changes points or evidence without a deploy. Points
    already recorded on an activity stay as they were."""

    list_display = [
        "name",
        "points",
        "evidence",
        "duration",
        "suggested_from",
        "is_active",
        "order",
    ]
    list_editable = ["points", "is_active", "order"]
    search_fields = ["name", "code"]


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["full_name", "school", "user", "assessor"]
    search_fields = ["full_name", "school__name", "user__username"]
    raw_id_fields = ["user", "assessor", "school"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "teacher", "kind", "end_date", "points", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "teacher__full_name"]
    raw_id_fields = ["teacher", "assessor_certificate", "session", "verified_by"]
