"""Demo data: a believable Kalimantan Timur with three LSP-P1s, their TUKs and demo accounts.

Every row is looked up by its natural key and saved only when a value actually differs, so a
second run writes nothing (no new audit entries either). Dates are relative to the given day so
the demo always shows a licence and a TUK verification about to expire, and one that has lapsed.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q

from .models import Concentration, Lsp, Province, Regency, Role, School, Tuk, User

PASSWORD = "kompeten123"
EMAIL_DOMAIN = "demo.kompeten.id"
PROVINCE_CODE = "64"

PUBLIC = School.Status.PUBLIC
PRIVATE = School.Status.PRIVATE


@dataclass(frozen=True)
class _School:
    npsn: str
    name: str
    regency: str
    address: str
    concentrations: tuple[str, ...]
    status: str = PUBLIC


@dataclass(frozen=True)
class _Lsp:
    name: str
    host: str
    network: tuple[str, ...]
    licence_number: str
    licence_days_left: int
    signatory_name: str
    email: str
    phone: str


@dataclass(frozen=True)
class _Tuk:
    lsp: str
    code: str
    name: str
    kind: str
    regency: str
    address: str
    verified_days_ago: int
    days_left: int


@dataclass(frozen=True)
class _Account:
    username: str
    full_name: str
    kind: str | None = None
    lsp: str | None = None
    superuser: bool = False


SCHOOLS = (
    _School("30401101", "SMK Negeri 1 Samarinda", "6472", "Jl. Pahlawan No. 4, Samarinda",
            ("TKJ", "RPL", "AKL", "MP", "BD")),
    _School("30401102", "SMK Negeri 2 Samarinda", "6472",
            "Jl. Ciptomangunkusumo No. 1, Samarinda Seberang", ("TKR", "TBSM", "TPM", "TITL")),
    _School("30401104", "SMK Negeri 4 Samarinda", "6472", "Jl. Kesuma Bangsa No. 12, Samarinda",
            ("KUL", "PH", "DKV")),
    _School("30401107", "SMK Negeri 7 Samarinda", "6472", "Jl. Aminah Syukur No. 82, Samarinda",
            ("TKJ", "RPL", "PG", "DKV")),
    _School("30401110", "SMK Negeri 10 Samarinda", "6472", "Jl. Jakarta No. 5, Samarinda",
            ("TKJ", "AKL", "BR")),
    _School("69726401", "SMK Muhammadiyah 1 Samarinda", "6472",
            "Jl. Ir. H. Juanda No. 20, Samarinda", ("AKL", "MP", "TKR"), PRIVATE),
    _School("30401201", "SMK Negeri 1 Balikpapan", "6471",
            "Jl. Jenderal Sudirman No. 52, Balikpapan", ("AKL", "MP", "BR", "BD", "PH")),
    _School("30401202", "SMK Negeri 2 Balikpapan", "6471",
            "Jl. Soekarno-Hatta Km 3, Balikpapan", ("TKR", "TAB", "TPM", "TITL")),
    _School("30401203", "SMK Negeri 3 Balikpapan", "6471",
            "Jl. Marsma R. Iswahyudi No. 17, Balikpapan", ("TKJ", "RPL", "DKV")),
    _School("69726402", "SMK Tunas Harapan Balikpapan", "6471",
            "Jl. MT Haryono No. 88, Balikpapan", ("TKJ", "AKL", "AKP"), PRIVATE),
    _School("69726403", "SMK Patra Dharma Balikpapan", "6471",
            "Jl. Yos Sudarso No. 9, Balikpapan", ("TPM", "TLAS", "TITL"), PRIVATE),
    _School("30401301", "SMK Negeri 1 Bontang", "6474", "Jl. Letjen S. Parman No. 1, Bontang",
            ("TKJ", "RPL", "AKL", "TITL")),
    _School("30401302", "SMK Negeri 2 Bontang", "6474", "Jl. Brigjen Katamso No. 40, Bontang",
            ("TPM", "TLAS", "TKR")),
    _School("69726404", "SMK Yayasan Pupuk Kaltim Bontang", "6474",
            "Jl. Oksigen, Kompleks PT Pupuk Kaltim, Bontang", ("TITL", "TPM", "AKL"), PRIVATE),
    _School("30401401", "SMK Negeri 1 Tenggarong", "6403",
            "Jl. Pesut No. 2, Tenggarong, Kutai Kartanegara", ("AKL", "MP", "TKJ", "ATPH")),
    _School("30401501", "SMK Negeri 1 Sangatta Utara", "6404",
            "Jl. Soekarno-Hatta, Sangatta Utara, Kutai Timur", ("TAB", "TKR", "TGP")),
    _School("30401601", "SMK Negeri 1 Tanah Grogot", "6401",
            "Jl. Kusuma Bangsa No. 3, Tanah Grogot, Paser", ("ATPH", "AKL", "TKJ")),
    _School("30401701", "SMK Negeri 1 Tanjung Redeb", "6405",
            "Jl. Pemuda No. 10, Tanjung Redeb, Berau", ("PH", "KUL", "AKL", "TKJ")),
    _School("30401801", "SMK Negeri 1 Penajam Paser Utara", "6409",
            "Jl. Provinsi Km 9, Penajam, Penajam Paser Utara", ("TKR", "TITL", "AKL")),
    _School("30401901", "SMK Negeri 1 Sendawar", "6402",
            "Jl. Sendawar Raya No. 1, Barong Tongkok, Kutai Barat", ("ATPH", "TKJ", "AKL")),
    _School("69726405", "SMK Negeri 1 Long Bagun", "6411",
            "Jl. Poros Ujoh Bilang, Long Bagun, Mahakam Ulu", ("ATPH", "TKJ", "AKP")),
)  # fmt: skip

LSPS = (
    _Lsp("LSP P1 SMK Negeri 1 Samarinda", "30401101",
         ("30401102", "30401104", "30401107", "69726401", "30401401"),
         "BNSP-LSP-1047-ID", 420, "Drs. H. Muhammad Yusuf, M.Pd.",
         "lsp@smkn1samarinda.sch.id", "0541 741234"),
    # Licence runs out within 90 days so the expiry warning shows up in the demo.
    _Lsp("LSP P1 SMK Negeri 1 Balikpapan", "30401201",
         ("30401202", "30401203", "69726402", "69726403", "30401801", "30401601"),
         "BNSP-LSP-1186-ID", 45, "Hj. Siti Rahmawati, S.Pd., M.M.",
         "lsp@smkn1balikpapan.sch.id", "0542 421876"),
    _Lsp("LSP P1 SMK Negeri 1 Bontang", "30401301",
         ("30401302", "69726404", "30401501", "30401701"),
         "BNSP-LSP-1329-ID", 700, "Ir. Bambang Supriyadi, M.T.",
         "lsp@smkn1bontang.sch.id", "0548 22113"),
)  # fmt: skip

SAMARINDA, BALIKPAPAN, BONTANG = (lsp.name for lsp in LSPS)

TUKS = (
    _Tuk(SAMARINDA, "TUK-SMD-01", "TUK Mandiri SMK Negeri 1 Samarinda", Tuk.Kind.MANDIRI,
         "6472", "Jl. Pahlawan No. 4, Samarinda", 200, 530),
    # Expires within 60 days: the TUK warning in the demo.
    _Tuk(SAMARINDA, "TUK-SMD-02", "Hotel Mesra Samarinda", Tuk.Kind.TEMPAT_KERJA,
         "6472", "Jl. Pahlawan No. 1, Samarinda", 30, 30),
    _Tuk(SAMARINDA, "TUK-SMD-03", "TUK Sewaktu SMK Negeri 7 Samarinda", Tuk.Kind.SEWAKTU,
         "6472", "Jl. Aminah Syukur No. 82, Samarinda", 5, 85),
    _Tuk(BALIKPAPAN, "TUK-BPN-01", "TUK Mandiri SMK Negeri 1 Balikpapan", Tuk.Kind.MANDIRI,
         "6471", "Jl. Jenderal Sudirman No. 52, Balikpapan", 300, 430),
    # Lapsed: may not host an assessment until verified again.
    _Tuk(BALIKPAPAN, "TUK-BPN-02", "PT Kilang Pertamina Balikpapan", Tuk.Kind.TEMPAT_KERJA,
         "6471", "Jl. Yos Sudarso No. 1, Balikpapan", 400, -35),
    _Tuk(BALIKPAPAN, "TUK-BPN-03", "TUK Jarak Jauh SMK Negeri 1 Balikpapan", Tuk.Kind.JARAK_JAUH,
         "6471", "Jl. Jenderal Sudirman No. 52, Balikpapan", 60, 305),
    _Tuk(BONTANG, "TUK-BTG-01", "TUK Mandiri SMK Negeri 1 Bontang", Tuk.Kind.MANDIRI,
         "6474", "Jl. Letjen S. Parman No. 1, Bontang", 100, 630),
    _Tuk(BONTANG, "TUK-BTG-02", "PT Pupuk Kalimantan Timur", Tuk.Kind.TEMPAT_KERJA,
         "6474", "Jl. James Simandjuntak No. 1, Bontang", 20, 160),
)  # fmt: skip

ACCOUNTS = (
    _Account("admin.lsp1", "Rina Wulandari, S.Kom.", Role.Kind.LSP_ADMIN, SAMARINDA),
    _Account("admin.lsp2", "Ahmad Fauzi, S.E.", Role.Kind.LSP_ADMIN, BALIKPAPAN),
    _Account("admin.lsp3", "Dewi Lestari, S.Pd.", Role.Kind.LSP_ADMIN, BONTANG),
    _Account("asesor1", "Agus Setiawan, S.T.", Role.Kind.ASSESSOR, SAMARINDA),
    _Account("disdikbud", "Hendra Gunawan, S.Sos., M.Si.", Role.Kind.VIEWER),
    _Account("superadmin", "Andi Pratama", superuser=True),
)


ROLE_LABELS = {
    Role.Kind.LSP_ADMIN: "Admin",
    Role.Kind.ASSESSOR: "Assessor",
    Role.Kind.VIEWER: "Disdikbud viewer",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    password: str


@dataclass
class DemoSummary:
    totals: dict[str, int]
    created: int = 0
    changed: int = 0
    deleted: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


def build_demo(*, today: datetime.date) -> DemoSummary:
    """Create or refresh the demo data (the command deletes it first for --reset)."""
    summary = DemoSummary(
        totals={
            "schools": len(SCHOOLS),
            "LSPs": len(LSPS),
            "TUKs": len(TUKS),
            "users": len(ACCOUNTS),
            "roles": sum(1 for a in ACCOUNTS if a.kind),
        }
    )
    with transaction.atomic():
        province = Province.objects.get(code=PROVINCE_CODE)
        schools = seed_schools(summary=summary)
        lsps = seed_lsps(summary=summary, province=province, schools=schools, today=today)
        seed_tuks(summary=summary, lsps=lsps, today=today)
        summary.accounts = seed_accounts(summary=summary, lsps=lsps, province=province)
    return summary


def delete_demo() -> int:
    """Delete the rows the demo owns, found by the natural keys it creates them with."""
    tuk_keys = reduce(or_, (Q(lsp__name=t.lsp, name=t.name) for t in TUKS))
    owned = (
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]),
        Tuk.objects.filter(tuk_keys),
        Lsp.objects.filter(name__in=[lsp.name for lsp in LSPS]),
        School.objects.filter(npsn__in=[s.npsn for s in SCHOOLS]),
    )
    # Order matters: TUKs protect their LSP, and an LSP its host school.
    return sum(queryset.delete()[0] for queryset in owned)


def seed_schools(*, summary: DemoSummary) -> dict[str, School]:
    regencies = Regency.objects.in_bulk({s.regency for s in SCHOOLS}, field_name="code")
    abbreviations = {a for s in SCHOOLS for a in s.concentrations}
    concentrations = Concentration.objects.in_bulk(abbreviations, field_name="abbreviation")
    schools = {}
    for seed in SCHOOLS:
        school, created = _upsert(
            School,
            summary=summary,
            lookup={"npsn": seed.npsn},
            values={
                "name": seed.name,
                "status": seed.status,
                "regency": regencies[seed.regency],
                "address": seed.address,
            },
        )
        wanted = [concentrations[a] for a in seed.concentrations]
        _sync_m2m(school.concentrations, wanted=wanted, summary=summary, new=created)
        schools[seed.npsn] = school
    return schools


def seed_lsps(
    *, summary: DemoSummary, province: Province, schools: dict[str, School], today: datetime.date
) -> dict[str, Lsp]:
    lsps = {}
    for seed in LSPS:
        host = schools[seed.host]
        lsp, created = _upsert(
            Lsp,
            summary=summary,
            lookup={"name": seed.name},
            values={
                "name_en": f"Professional Certification Body P1 of {host.name}",
                "kind": Lsp.Kind.P1,
                "province": province,
                "host_school": host,
                "licence_number": seed.licence_number,
                "licence_valid_until": today + datetime.timedelta(days=seed.licence_days_left),
                "address": host.address,
                "email": seed.email,
                "phone": seed.phone,
                "signatory_name": seed.signatory_name,
                "signatory_title": "Ketua LSP",
            },
        )
        network = [schools[npsn] for npsn in seed.network]
        _sync_m2m(lsp.network_schools, wanted=network, summary=summary, new=created)
        lsps[seed.name] = lsp
    return lsps


def seed_tuks(*, summary: DemoSummary, lsps: dict[str, Lsp], today: datetime.date) -> None:
    regencies = Regency.objects.in_bulk({t.regency for t in TUKS}, field_name="code")
    for seed in TUKS:
        _upsert(
            Tuk,
            summary=summary,
            lookup={"lsp": lsps[seed.lsp], "name": seed.name},
            values={
                "code": seed.code,
                "kind": seed.kind,
                "regency": regencies[seed.regency],
                "address": seed.address,
                "verified_on": today - datetime.timedelta(days=seed.verified_days_ago),
                "verified_until": today + datetime.timedelta(days=seed.days_left),
            },
        )


def seed_accounts(
    *, summary: DemoSummary, lsps: dict[str, Lsp], province: Province
) -> list[DemoAccount]:
    accounts = []
    for seed in ACCOUNTS:
        user = _seed_user(seed, summary=summary)
        lsp = lsps.get(seed.lsp)
        viewed = province if seed.kind == Role.Kind.VIEWER else None
        _sync_roles(user, kind=seed.kind, lsp=lsp, province=viewed, summary=summary)
        role = f"{ROLE_LABELS[seed.kind]} {lsp or viewed}" if seed.kind else "Superuser"
        accounts.append(DemoAccount(seed.username, seed.full_name, role, PASSWORD))
    return accounts


def _seed_user(seed: _Account, *, summary: DemoSummary) -> User:
    user, _ = _upsert(
        User,
        summary=summary,
        lookup={"username": seed.username},
        values={
            "full_name": seed.full_name,
            "email": f"{seed.username}@{EMAIL_DOMAIN}",
            "is_active": True,
            "is_staff": seed.superuser,
            "is_superuser": seed.superuser,
        },
        # Hashed only for a new user: a fresh salt on every run would be a change each time.
        create_only=lambda: {"password": make_password(PASSWORD)},
    )
    if not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        summary.changed += 1
    return user


def _sync_roles(
    user: User,
    *,
    kind: str | None,
    lsp: Lsp | None,
    province: Province | None,
    summary: DemoSummary,
) -> None:
    """Leave the user with exactly the one demo role (or none), whatever was added by hand."""
    kept = []
    if kind:
        role, created = Role.objects.get_or_create(user=user, kind=kind, lsp=lsp, province=province)
        summary.created += created
        kept.append(role.pk)
    summary.deleted += user.roles.exclude(pk__in=kept).delete()[0]


def _upsert(
    model: type[models.Model],
    *,
    summary: DemoSummary,
    lookup: dict[str, Any],
    values: dict[str, Any],
    create_only: Callable[[], dict[str, Any]] | None = None,
) -> tuple[Any, bool]:
    """Create the row, or save only the fields that differ (update_or_create always saves)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        extra = create_only() if create_only else {}
        summary.created += 1
        return model.objects.create(**lookup, **values, **extra), True
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        summary.changed += 1
    return obj, False


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    # Compare foreign keys by id, so that checking does not load each related row.
    attname = obj._meta.get_field(name).attname
    wanted = value.pk if isinstance(value, models.Model) else value
    return getattr(obj, attname) != wanted


def _sync_m2m(manager: Any, *, wanted: list[models.Model], summary: DemoSummary, new: bool) -> None:
    current = set(manager.values_list("pk", flat=True))
    target = {obj.pk for obj in wanted}
    if current == target:
        return
    manager.remove(*(current - target))
    manager.add(*(target - current))
    # Filling in a row just created is part of creating it, not a change.
    summary.changed += not new
