import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from lsp.models import Lsp, Province, Regency, Role, School, Tuk, User


def kaltim():
    return Province.objects.get(code="64")


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 80) + 10:02d}")
    name = factory.Faker("state", locale="id_ID")


class RegencyFactory(DjangoModelFactory):
    class Meta:
        model = Regency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{9000 + n}")
    name = factory.Faker("city", locale="id_ID")
    kind = Regency.Kind.KOTA
    province = factory.LazyFunction(kaltim)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    npsn = factory.Sequence(lambda n: f"{30400000 + n:08d}")
    name = factory.Sequence(lambda n: f"SMK Negeri {n + 1} Uji")
    status = School.Status.PUBLIC
    regency = factory.LazyFunction(lambda: Regency.objects.get(code="6472"))


class LspFactory(DjangoModelFactory):
    class Meta:
        model = Lsp
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"LSP P1 Uji {n + 1}")
    kind = Lsp.Kind.P1
    province = factory.LazyAttribute(lambda o: o.host_school.regency.province)
    host_school = factory.SubFactory(SchoolFactory)
    licence_number = factory.Sequence(lambda n: f"BNSP-LSP-{1000 + n}-ID")
    licence_valid_until = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=700)
    )

    @factory.post_generation
    def network(self, create, extracted, **kwargs):
        if create and extracted:
            self.network_schools.add(*extracted)


class TukFactory(DjangoModelFactory):
    class Meta:
        model = Tuk

    lsp = factory.SubFactory(LspFactory)
    name = factory.Sequence(lambda n: f"TUK Uji {n + 1}")
    kind = Tuk.Kind.MANDIRI
    verified_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    verified_until = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=300)
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="id_ID")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.id")
    password = factory.django.Password("kompeten123")


def lsp_admin(lsp, **kwargs):
    user = UserFactory(**kwargs)
    Role.objects.create(user=user, kind=Role.Kind.LSP_ADMIN, lsp=lsp)
    return user


def assessor(lsp, **kwargs):
    user = UserFactory(**kwargs)
    Role.objects.create(user=user, kind=Role.Kind.ASSESSOR, lsp=lsp)
    return user


def viewer(province=None, **kwargs):
    user = UserFactory(**kwargs)
    Role.objects.create(user=user, kind=Role.Kind.VIEWER, province=province or kaltim())
    return user


# --- assessments ----------------------------------------------------------------------------------
class UnitFactory(DjangoModelFactory):
    class Meta:
        model = "assessments.Unit"

    lsp = factory.SubFactory(LspFactory)
    code = factory.Sequence(lambda n: f"J.620100.{n + 1:03d}.02")
    title = factory.Sequence(lambda n: f"Unit uji {n + 1}")


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = "assessments.Scheme"

    lsp = factory.SubFactory(LspFactory)
    code = factory.Sequence(lambda n: f"SKM/BNSP/{n + 1:05d}/1/2024/33")
    title = factory.Sequence(lambda n: f"Skema uji {n + 1}")
    kind = "kkni"
    kkni_level = 2


def concentration(abbreviation="TKJ"):
    from lsp.models import Concentration

    return Concentration.objects.get(abbreviation=abbreviation)


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = "assessments.Candidate"

    full_name = factory.Faker("name", locale="id_ID")
    nisn = factory.Sequence(lambda n: f"{n + 1:010d}")
    nik = factory.Sequence(lambda n: f"6472{n + 1:012d}")
    birth_place = "Samarinda"
    birth_date = datetime.date(2008, 5, 17)
    sex = "L"
    school = factory.SubFactory(SchoolFactory)
    concentration = factory.LazyFunction(concentration)
    level = "XII"
    class_name = "XII TKJ 1"
    school_year = "2025/2026"


# --- assessors ------------------------------------------------------------------------------------
class AssessorFactory(DjangoModelFactory):
    """An assessor serving `lsps` (default: a new LSP), with no certificate unless given one."""

    class Meta:
        model = "assessors.Assessor"
        skip_postgeneration_save = True

    full_name = factory.Faker("name", locale="id_ID")
    nik = factory.Sequence(lambda n: f"6471{n + 1:012d}")
    met_number = factory.Sequence(lambda n: f"MET.000.{n + 1:06d} 2020")
    email = factory.LazyAttribute(lambda o: f"asesor{o.nik[-4:]}@example.id")
    phone = "+6281234567890"

    @factory.post_generation
    def lsps(self, create, extracted, **kwargs):
        if create:
            self.lsps.add(*(extracted if extracted is not None else [LspFactory()]))


class AssessorCertificateFactory(DjangoModelFactory):
    """Issued a year ago by default, so valid for two more years."""

    class Meta:
        model = "assessors.AssessorCertificate"

    assessor = factory.SubFactory(AssessorFactory)
    number = factory.Sequence(lambda n: f"{n + 1:05d}/BNSP/ASKOM/2024")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    valid_until = None


class TechnicalScopeFactory(DjangoModelFactory):
    class Meta:
        model = "assessors.TechnicalScope"

    assessor = factory.SubFactory(AssessorFactory)
    scheme = factory.SubFactory(SchemeFactory)
    certificate_number = factory.Sequence(lambda n: f"KOM-{n + 1:05d}")
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=700))


# --- sessions -------------------------------------------------------------------------------------
def funding(code="2"):
    from lsp.models import FundingSource

    return FundingSource.objects.get(code=code)


class SessionFactory(DjangoModelFactory):
    """A session of a scheme of `lsp`, at a verified TUK, next week, in assessment."""

    class Meta:
        model = "assessments.AssessmentSession"

    lsp = factory.SubFactory(LspFactory)
    scheme = factory.SubFactory(SchemeFactory, lsp=factory.SelfAttribute("..lsp"))
    tuk = factory.SubFactory(TukFactory, lsp=factory.SelfAttribute("..lsp"))
    code = factory.Sequence(lambda n: f"JDW-{n + 1:04d}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    end_date = factory.SelfAttribute("start_date")
    funding = factory.LazyFunction(funding)
    status = "assessing"


def session_assessor(session, **kwargs):
    """An assessor of the session's LSP, certified, with the scheme in scope, assigned to it."""
    from assessments.models import SessionAssessor

    assessor = AssessorFactory(lsps=[session.lsp], **kwargs)
    AssessorCertificateFactory(assessor=assessor)
    TechnicalScopeFactory(assessor=assessor, scheme=session.scheme)
    SessionAssessor.objects.create(session=session, assessor=assessor)
    return assessor


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = "assessments.Enrolment"

    session = factory.SubFactory(SessionFactory)
    candidate = factory.SubFactory(
        CandidateFactory, school=factory.SelfAttribute("..session.lsp.host_school")
    )
    assessor = factory.LazyAttribute(lambda o: session_assessor(o.session))
    assessment_date = factory.SelfAttribute("session.start_date")
    eligibility = "eligible"


# --- funding programmes ---------------------------------------------------------------------------
class FundingProgrammeFactory(DjangoModelFactory):
    """A BANPER programme of this year kept by `lsp`, in its province; add quotas with
    FundingQuotaFactory."""

    class Meta:
        model = "lsp.FundingProgramme"

    lsp = factory.SubFactory(LspFactory)
    province = factory.SelfAttribute("lsp.province")
    name = factory.Sequence(lambda n: f"BANPER Sertifikasi {n + 1}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    funder = "directorate"
    kind = factory.LazyFunction(lambda: funding("1"))


class FundingQuotaFactory(DjangoModelFactory):
    class Meta:
        model = "lsp.FundingQuota"

    programme = factory.SubFactory(FundingProgrammeFactory)
    school = factory.SelfAttribute("programme.lsp.host_school")
    quota = 10
    amount_per_student = 500000
