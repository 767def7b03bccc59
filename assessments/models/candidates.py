import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lsp.access import scope_of
from lsp.files import RandomName, image_validator
from lsp.models import AuditedModel, School
from lsp.validators import nik_validator

from ..validators import nisn_validator

school_year_validator = RegexValidator(
    r"^\d{4}/\d{4}$", _("Write the school year as 2025/2026."), code="invalid_school_year"
)

# A 3 × 4 photo printed 4 cm high at 300 dpi: 472 pixels. Larger uploads are scaled down.
PHOTO_PIXELS = 480


def prepare_photo(file) -> ContentFile:
    """The uploaded photo as it is kept: upright, at most PHOTO_PIXELS on its longer side, a
    JPEG without its metadata (a phone's photo carries the place it was taken). A transparent
    PNG is laid on white. The PDF embeds such a JPEG as it is, without decoding it again."""
    image_validator(file)
    try:
        file.seek(0)
        image = Image.open(file)
        image.load()
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as error:
        raise ValidationError(_("The photo could not be read."), code="bad_image") from error
    image = ImageOps.exif_transpose(image)
    if image.mode in ("P", "LA", "PA", "RGBA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=90)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


class CandidateQuerySet(models.QuerySet):
    """Students are minors: only the admins of the LSP certifying their school manage them.

    Disdikbud viewers get figures and summaries elsewhere, never this list; assessors see the
    students assigned to them through their sessions (a later issue).
    """

    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(school__in=School.objects.of_lsps(scope.admin_lsp_ids))

    def editable_by(self, user):
        return self.for_user(user)


class Candidate(AuditedModel):
    """A student to be assessed (asesi)."""

    class Sex(models.TextChoices):
        MALE = "L", _("Male (L)")
        FEMALE = "P", _("Female (P)")

    class Level(models.TextChoices):
        X = "X", "X"
        XI = "XI", "XI"
        XII = "XII", "XII"
        XIII = "XIII", "XIII"

    full_name = models.CharField(_("full name"), max_length=150)
    # Identifiers are text: their leading zeros are part of them.
    nisn = models.CharField("NISN", max_length=10, unique=True, validators=[nisn_validator])
    nik = models.CharField("NIK", max_length=16, unique=True, validators=[nik_validator])
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    school = models.ForeignKey(
        "lsp.School", models.PROTECT, related_name="candidates", verbose_name=_("school")
    )
    concentration = models.ForeignKey(
        "lsp.Concentration",
        models.PROTECT,
        related_name="candidates",
        verbose_name=_("concentration"),
    )
    level = models.CharField(_("grade"), max_length=4, choices=Level.choices)
    class_name = models.CharField(
        _("class"), max_length=30, blank=True, help_text=_("As the school names it, e.g. XII TKJ 2")
    )
    school_year = models.CharField(
        _("school year"), max_length=9, validators=[school_year_validator]
    )
    photo = models.ImageField(
        _("photo"),
        upload_to=RandomName("candidates/photo"),
        blank=True,
        validators=[image_validator],
        help_text=_("A 3 × 4 photo (JPEG or PNG), printed on the back of the certificate."),
    )
    graduation_year = models.PositiveSmallIntegerField(
        _("graduation year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CandidateQuerySet.as_manager()

    audit_ignored_fields = ("updated_at", "created_at")

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("student (asesi)")
        verbose_name_plural = _("students (asesi)")
        indexes = [
            models.Index(fields=["school", "full_name"]),
            models.Index(fields=["school", "concentration", "full_name"]),
            models.Index(fields=["school", "level", "full_name"]),
            models.Index(fields=["school_year", "full_name"]),
            models.Index(fields=["full_name"]),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("candidate_detail", args=[self.pk])

    def audit_scope(self):
        from lsp.models import Lsp

        return set(Lsp.objects.certifying(self.school_id).values_list("pk", flat=True)), None
