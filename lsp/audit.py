"""The audit trail: who changed or exported what, and when.

Saves and deletes of every AuditedModel are caught by signals (so the admin site and the shell are
audited too); the acting user comes from the request through a context variable. An entry is
written when the transaction commits: a change that is rolled back leaves no trace, and the entry
sees the relations set in the same transaction (a new school joined to an LSP's network).
"""

import contextvars
import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import AuditedModel, AuditEntry, Lsp

_request = contextvars.ContextVar("kompeten_audit_request", default=None)


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_actor():
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return str(value)
    if hasattr(value, "name"):  # a FieldFile
        return value.name or ""
    return str(value)


def _diff(instance, created):
    loaded = {} if created else getattr(instance, "_audit_loaded", None)
    if loaded is None:  # an instance not read from the database: we cannot tell what changed
        loaded = {}
    changes = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in instance.audit_ignored_fields:
            continue
        attname = field.attname
        new = _plain(getattr(instance, attname))
        old = _plain(loaded.get(attname)) if attname in loaded else None
        if not created and attname not in loaded:
            continue
        if old == new or (created and new in (None, "")):
            continue
        if field.name in instance.audit_secret_fields:
            old, new = ("***" if old else None), "***"
        changes[field.name] = [old, new]
    return changes


def write_entry(
    *, action, instance=None, label="", changes=None, actor=None, lsp_ids=(), province_id=None
):
    """Write one entry now. Exports call this directly; saves and deletes come through signals."""
    entry = AuditEntry.objects.create(
        actor=actor if actor is not None else current_actor(),
        action=action,
        content_type=ContentType.objects.get_for_model(instance) if instance is not None else None,
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=(label or str(instance))[:255],
        changes=changes or {},
        province_id=province_id,
    )
    if lsp_ids:
        # Only LSPs that still exist: the entry for a deleted LSP is written after its row is gone.
        entry.lsps.set(Lsp.objects.filter(pk__in=lsp_ids))
    return entry


def _on_commit(action, instance, changes, scope=None):
    actor = current_actor()
    label = str(instance)

    def write():
        lsp_ids, province_id = scope if scope is not None else instance.audit_scope()
        write_entry(
            action=action,
            instance=instance,
            label=label,
            changes=changes,
            actor=actor,
            lsp_ids=lsp_ids,
            province_id=province_id,
        )

    transaction.on_commit(write)


def _saved(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    changes = _diff(instance, created)
    # Keep the saved values as the new baseline for a later save of the same object.
    instance._audit_loaded = {
        f.attname: getattr(instance, f.attname) for f in sender._meta.concrete_fields
    }
    if not created and not changes:
        return
    _on_commit(AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, instance, changes)


def _deleted(sender, instance, **kwargs):
    if not isinstance(instance, AuditedModel):
        return
    # The scope is read now: after the commit the row and its relations are gone.
    _on_commit(AuditEntry.Action.DELETE, instance, {}, scope=instance.audit_scope())


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or not isinstance(instance, AuditedModel):
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or ()))
    key = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    if not names and action != "post_clear":
        return
    _on_commit(AuditEntry.Action.UPDATE, instance, {field.name: {key: names}})


post_save.connect(_saved, dispatch_uid="kompeten_audit_saved")
post_delete.connect(_deleted, dispatch_uid="kompeten_audit_deleted")
m2m_changed.connect(_m2m_changed, dispatch_uid="kompeten_audit_m2m")
