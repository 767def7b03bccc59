"""The writes that may move an assessor's kept standing (`models/standing.py`) forget it.

An assessor certificate, a logbook entry and a session assignment (its verdicts submitted or
withdrawn) name their assessor; a session whose first day moves may move in or out of its
assessors' windows. The assignments live in the layer above (assessments): named by label.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from .models.standing import forget


def _own_assessor(sender, instance, **kwargs):
    forget([instance.assessor_id])


def _session_saving(sender, instance, **kwargs):
    # Before the save: after it, the audit trail's handler has replaced the values as read.
    if instance._state.adding:  # no verdicts submitted yet
        return
    loaded = getattr(instance, "_audit_loaded", None)  # the values as read (lsp AuditedModel)
    if loaded is not None and loaded.get("start_date") == instance.start_date:
        return
    forget(instance.assignments.values_list("assessor_id", flat=True))


def connect():
    for label in ("assessors.AssessorCertificate", "assessors.LogbookEntry",
                  "assessments.SessionAssessor"):  # fmt: skip
        uid = f"assessors-standing-{label}"
        post_save.connect(_own_assessor, sender=label, dispatch_uid=f"{uid}-save")
        post_delete.connect(_own_assessor, sender=label, dispatch_uid=f"{uid}-delete")
    pre_save.connect(
        _session_saving,
        sender="assessments.AssessmentSession",
        dispatch_uid="assessors-standing-session",
    )
