"""Demo data: forty assessors (teachers) of the three demo LSPs, with their BNSP certificates.

Runs after lsp/demo.py and builds on its LSPs, schools and the `asesor1` account. Like it, every
row is looked up by its natural key (an assessor by NIK, a certificate by its number) and saved only
where a value differs, so a second run on the same day writes nothing. Certificate dates are
relative to the given day, so the demo always shows a mix of statuses: most active, some expiring
within the 90-day window (about 10, 45 and 80 days left), some expired (lately and long ago), two
without a certificate and three renewed by RCC. Their technical scope is seeded by
assessments/demo_scopes.py, after the schemes exist.
"""

import datetime
import random
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from lsp.demo import EMAIL_DOMAIN, LSPS, SCHOOLS, DemoSummary, _sync_m2m, _upsert
from lsp.models import Lsp, Role, School, User

from .models import CERTIFICATE_YEARS, Assessor, AssessorCertificate, LogbookEntry
from .services.roles import sync_roles

SMD, BPN, BTG = (lsp.name for lsp in LSPS)
NEVER = None  # no certificate recorded yet
INITIAL, RCC = AssessorCertificate.Kind.INITIAL, AssessorCertificate.Kind.RCC


@dataclass(frozen=True)
class _Assessor:
    full_name: str
    sex: str  # L / P, as on the NIK (a woman's birth day + 40)
    born: str
    npsn: str  # home school
    lsps: tuple[str, ...]
    fields: tuple[str, ...]  # concentrations they are certified in: their technical scope
    days_left: int | None  # of the current certificate, from the demo's day; None: without
    renewed: int | None = None  # RCC renewal this many days before the initial one expired
    username: str | None = None  # the demo account linked to this assessor


ASSESSORS = (
    # LSP P1 SMK Negeri 1 Samarinda: TKJ, AKL and KUL schemes.
    _Assessor("Agus Setiawan, S.T.", "L", "1984-03-12", "30401101", (SMD,), ("TKJ",), 730,
              username="asesor1"),
    _Assessor("Sri Wahyuni, S.Pd.", "P", "1978-06-21", "30401101", (SMD,), ("AKL",), 880),
    _Assessor("Muhammad Rizal, S.Kom.", "L", "1987-11-02", "30401107", (SMD, BTG), ("TKJ",), 640),
    _Assessor("Nurul Hidayah, S.Pd., M.Pd.", "P", "1975-01-30", "30401104", (SMD,), ("KUL",), 950),
    _Assessor("Hj. Rusmini, S.E.", "P", "1970-09-14", "69726401", (SMD, BPN), ("AKL",), 400),
    _Assessor("Bambang Hermawan, S.T., M.T.", "L", "1972-04-05", "30401101", (SMD,), ("TKJ",),
              945, renewed=14),
    _Assessor("Yuliana Sari, S.Pd.", "P", "1986-07-19", "30401104", (SMD,), ("KUL",), 520),
    _Assessor("Andi Muhammad Fadli, S.Kom.", "L", "1989-12-08", "30401401", (SMD,), ("TKJ",), 300),
    _Assessor("Fitriani, S.E., M.Ak.", "P", "1983-02-25", "30401401", (SMD,), ("AKL",), 190),
    _Assessor("Rudi Hartono, S.Pd.", "L", "1980-10-10", "30401107", (SMD,), ("TKJ",), 11),
    _Assessor("Ratna Dewi, S.Pd.", "P", "1977-05-03", "30401104", (SMD,), ("KUL",), 47),
    _Assessor("Syamsul Bahri, S.Pd.", "L", "1968-08-17", "30401101", (SMD,), ("AKL",), -20),
    _Assessor("Erna Susanti, S.E.", "P", "1974-03-28", "69726401", (SMD,), ("AKL",), -400),
    _Assessor("Dedi Kurniawan, S.Kom.", "L", "1991-01-15", "30401101", (SMD,), ("TKJ",), NEVER),
    # LSP P1 SMK Negeri 1 Balikpapan: BR and AKL schemes.
    _Assessor("Hj. Siti Aminah, S.Pd., M.M.", "P", "1971-02-11", "30401201", (BPN,),
              ("AKL", "BR"), 1000),
    _Assessor("Eko Prasetyo, S.E.", "L", "1982-06-06", "30401201", (BPN,), ("BR",), 820),
    _Assessor("Dwi Rahmawati, S.Pd.", "P", "1985-09-23", "30401201", (BPN,), ("BR",), 760),
    _Assessor("Yohanes Pati, S.E.", "L", "1979-11-30", "69726402", (BPN, SMD), ("AKL",), 580),
    _Assessor("Nur Aisyah, S.Pd.", "P", "1988-04-14", "30401801", (BPN,), ("AKL",), 455),
    _Assessor("Heru Santoso, S.E., M.M.", "L", "1973-12-01", "30401201", (BPN,), ("AKL",), 700,
              renewed=30),
    _Assessor("Lilis Suryani, S.Pd.", "P", "1981-08-08", "30401601", (BPN,), ("AKL",), 340),
    _Assessor("Rahmat Hidayat, S.Pd.", "L", "1976-05-27", "30401201", (BPN,), ("BR",), 260),
    _Assessor("Wiwik Handayani, S.E.", "P", "1980-03-16", "69726402", (BPN,), ("AKL",), 9),
    _Assessor("Joko Susilo, S.Pd.", "L", "1969-07-04", "30401201", (BPN,), ("BR",), 80),
    _Assessor("Endang Sulastri, S.Pd.", "P", "1967-10-20", "30401201", (BPN,), ("AKL",), -75),
    _Assessor("Suparman, S.E.", "L", "1966-01-09", "30401801", (BPN,), ("AKL",), -1100),
    _Assessor("Anisa Maharani, S.Ak.", "P", "1993-05-05", "30401201", (BPN,), ("AKL",), NEVER),
    # LSP P1 SMK Negeri 1 Bontang: RPL and TKJ schemes.
    _Assessor("Ir. Hendro Wibowo, M.T.", "L", "1970-02-02", "30401301", (BTG,), ("TKJ", "RPL"),
              900),
    _Assessor("Rina Marlina, S.Kom.", "P", "1986-12-12", "30401301", (BTG,), ("RPL",), 860),
    _Assessor("Fajar Nugroho, S.Kom.", "L", "1990-06-18", "30401301", (BTG,), ("RPL",), 680),
    _Assessor("Indah Purnamasari, S.Pd.", "P", "1984-09-09", "30401701", (BTG,), ("TKJ",), 610),
    _Assessor("La Ode Harun, S.T.", "L", "1981-04-22", "30401301", (BTG,), ("TKJ",), 540),
    _Assessor("Yustina Pakiding, S.Kom.", "P", "1983-07-07", "30401301", (BTG,), ("RPL", "TKJ"),
              470),
    _Assessor("Ahmad Syarifuddin, S.T.", "L", "1977-03-03", "30401301", (BTG,), ("TKJ",), 1010,
              renewed=45),
    _Assessor("Sutrisno, S.Pd.T.", "L", "1975-11-11", "30401301", (BTG,), ("TKJ",), 370),
    _Assessor("Kartika Sari, S.Kom., M.Kom.", "P", "1987-01-21", "30401301", (BTG,), ("RPL",), 230),
    _Assessor("Wahyudi, S.Kom.", "L", "1982-08-30", "30401701", (BTG,), ("TKJ",), 200),
    _Assessor("Dian Puspitasari, S.Kom.", "P", "1989-10-03", "30401301", (BTG,), ("RPL",), 44),
    _Assessor("Gusti Ngurah Putra, S.T.", "L", "1979-05-15", "30401301", (BTG,), ("TKJ",), 83),
    _Assessor("Hasanuddin, S.Pd.", "L", "1971-06-29", "30401301", (BTG,), ("TKJ",), -210),
)  # fmt: skip

PHONE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "857")
_REGENCY = {school.npsn: school.regency for school in SCHOOLS}


def _nik(index: int, seed: _Assessor) -> str:
    """Regency of the home school, district, birth date (day + 40 for women), sequence number.

    Born 1966–1993, so never one of the demo students' NIKs (theirs end in year 07–09 + 0001–0600).
    """
    born = datetime.date.fromisoformat(seed.born)
    day = born.day + (40 if seed.sex == "P" else 0)
    return (
        f"{_REGENCY[seed.npsn]}{index % 9 + 1:02d}{day:02d}{born.month:02d}{born.year % 100:02d}"
        f"{701 + index:04d}"
    )


NIKS = tuple(_nik(index, seed) for index, seed in enumerate(ASSESSORS))


@dataclass(frozen=True)
class _Certificate:
    serial: int
    issued_on: datetime.date
    valid_until: datetime.date
    kind: str

    @property
    def prefix(self) -> str:
        # Unique to the demo (six digits, unlike hand-typed or factory numbers) and independent of
        # the day, so a certificate whose issue year moved is still found and renumbered.
        return f"{self.serial:06d}/ASKOM/BNSP/"

    @property
    def number(self) -> str:
        return f"{self.prefix}{self.issued_on.year}"


def planned_certificates(index: int, seed: _Assessor, today: datetime.date) -> list[_Certificate]:
    """The assessor's certificates, oldest first: the last one is the current one."""
    if seed.days_left is None:
        return []
    years = relativedelta(years=CERTIFICATE_YEARS)
    serial = 4100 + 97 * index
    until = today + datetime.timedelta(days=seed.days_left)
    if seed.renewed is None:
        return [_Certificate(serial + 1, until - years, until, INITIAL)]
    # Renewed by RCC shortly before the initial certificate ran out, which has since expired.
    initial_until = until - years + datetime.timedelta(days=seed.renewed)
    return [
        _Certificate(serial, initial_until - years, initial_until, INITIAL),
        _Certificate(serial + 1, until - years, until, RCC),
    ]


def build_demo(*, today: datetime.date) -> DemoSummary:
    """Create or refresh the demo assessors (the command deletes them first for --reset)."""
    today = today or timezone.localdate()
    summary = DemoSummary(totals={})
    with transaction.atomic():
        lsps = {lsp.name: lsp for lsp in Lsp.objects.filter(name__in=[s.name for s in LSPS])}
        schools = School.objects.in_bulk({s.npsn for s in ASSESSORS}, field_name="npsn")
        usernames = [s.username for s in ASSESSORS if s.username]
        users = User.objects.in_bulk(usernames, field_name="username")
        for index, seed in enumerate(ASSESSORS):
            if seed.npsn not in schools or not any(name in lsps for name in seed.lsps):
                continue
            _seed_assessor(
                index, seed, summary=summary, lsps=lsps, schools=schools, users=users, today=today
            )
        demo = Assessor.objects.filter(nik__in=NIKS)
        summary.totals["assessors"] = demo.count()
        summary.totals["assessor certificates"] = AssessorCertificate.objects.filter(
            assessor__in=demo
        ).count()
        summary.totals["logbook entries"] = LogbookEntry.objects.filter(assessor__in=demo).count()
    return summary


def delete_demo() -> int:
    """Delete the demo assessors; their certificates and technical scope go with them."""
    return Assessor.objects.filter(nik__in=NIKS).delete()[0]


def _seed_assessor(
    index: int,
    seed: _Assessor,
    *,
    summary: DemoSummary,
    lsps: dict[str, Lsp],
    schools: dict[str, School],
    users: dict[str, User],
    today: datetime.date,
) -> None:
    certificates = planned_certificates(index, seed, today)
    # The MET number carries the year of registration: the first certificate's.
    registered = certificates[0].issued_on.year if certificates else today.year
    values = {
        "full_name": seed.full_name,
        "met_number": f"MET.000.{1000 + 7919 * index:06d} {registered}",
        "email": _email(seed),
        "phone": f"+62{PHONE_PREFIXES[index % len(PHONE_PREFIXES)]}{_digits(NIKS[index], 8)}",
        "home_school": schools[seed.npsn],
    }
    if seed.username:
        # Only the demo account is linked; an account linked to another assessor by hand stays.
        values["user"] = users.get(seed.username)
    assessor, created = _upsert(
        Assessor, summary=summary, lookup={"nik": NIKS[index]}, values=values
    )
    wanted = [lsps[name] for name in seed.lsps if name in lsps]
    _sync_m2m(assessor.lsps, wanted=wanted, summary=summary, new=created)
    for certificate in certificates:
        _seed_certificate(assessor, certificate, summary=summary)
    _seed_logbook(assessor, LOGBOOK.get(seed.full_name, 0), summary=summary, today=today)
    if assessor.user_id:
        _sync_account_roles(assessor, summary=summary)


# Assessments done before Kompeten (or for another LSP), recorded in the logbook: enough for these
# to be eligible for RCC, so the daily check shows every outcome.
LOGBOOK = {
    "Hj. Rusmini, S.E.": 6,
    "Eko Prasetyo, S.E.": 6,
    "Joko Susilo, S.Pd.": 6,
    "Rina Marlina, S.Kom.": 6,
    "Sri Wahyuni, S.Pd.": 3,
}
LOGBOOK_SCHEMES = (
    "Okupasi Teknisi Akuntansi Junior",
    "Klaster Pengelolaan Administrasi Umum",
    "Kualifikasi KKNI Level II Teknik Komputer dan Jaringan",
)


def _seed_logbook(assessor, count: int, *, summary: DemoSummary, today: datetime.date) -> None:
    """`count` entries, 20 days apart from 15 days ago, at an LSP outside the demo."""
    wanted = {
        today - datetime.timedelta(days=15 + 20 * n): LOGBOOK_SCHEMES[n % len(LOGBOOK_SCHEMES)]
        for n in range(count)
    }
    kept = set()
    for entry in assessor.logbook.all():
        if wanted.get(entry.date) == entry.scheme_name and entry.date not in kept:
            kept.add(entry.date)
        else:
            entry.delete()  # yesterday's dates, or added by hand: the demo owns this logbook
            summary.deleted += 1
    for day, scheme in sorted(wanted.items()):
        if day in kept:
            continue
        LogbookEntry.objects.create(
            assessor=assessor,
            date=day,
            lsp_name="LSP P1 SMK Negeri 2 Samarinda",
            scheme_name=scheme,
            tuk_name="TUK Mandiri SMK Negeri 2 Samarinda",
            asesi_count=10 + (day.toordinal() % 11),
            notes="Dicatat dari surat tugas (sebelum memakai Kompeten).",
        )
        summary.created += 1


def _seed_certificate(
    assessor: Assessor, certificate: _Certificate, *, summary: DemoSummary
) -> None:
    values = {
        "assessor": assessor,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "kind": certificate.kind,
    }
    found = AssessorCertificate.objects.filter(number__startswith=certificate.prefix).first()
    if found is None:
        lookup = {"number": certificate.number}
    else:
        lookup = {"pk": found.pk}
        values["number"] = certificate.number
    _upsert(AssessorCertificate, summary=summary, lookup=lookup, values=values)


def _sync_account_roles(assessor: Assessor, *, summary: DemoSummary) -> None:
    """One assessor role per LSP served; lsp/demo.py has usually made them already."""
    roles = Role.objects.filter(user_id=assessor.user_id, kind=Role.Kind.ASSESSOR)
    before = set(roles.values_list("pk", flat=True))
    sync_roles(assessor)
    after = set(roles.values_list("pk", flat=True))
    summary.created += len(after - before)
    summary.deleted += len(before - after)


def _digits(seed: str, count: int) -> str:
    """The same digits for the same seed on every run (a str seed does not depend on hashing)."""
    return str(random.Random(seed).randrange(10 ** (count - 1), 10**count))


def _email(seed: _Assessor) -> str:
    if seed.username:
        return f"{seed.username}@{EMAIL_DOMAIN}"  # the same as the linked account's
    # First and last name, without titles (Hj., Ir.) and degrees.
    words = [w for w in seed.full_name.split(",")[0].split() if not w.endswith(".")]
    local = ".".join(dict.fromkeys((words[0], words[-1])))
    return f"{local.lower()}@{EMAIL_DOMAIN}"
