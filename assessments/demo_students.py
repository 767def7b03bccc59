"""The ~600 demo students, planned from a seeded random stream over fixed lists of names and
places, so every run plans the same students (and the demo writes only the missing ones)."""

import datetime
import random
from dataclasses import dataclass
from functools import cache

from lsp.demo import LSPS, SCHOOLS

STUDENT_COUNT = 600
SEED = 2026
SCHOOL_YEAR = "2025/2026"
HOST_WEIGHT = 3  # the host school is the LSP's largest source of asesi

MALE_FIRST = (
    "Muhammad", "Ahmad", "Rizky", "Fajar", "Dimas", "Bayu", "Andi", "Arif", "Rahmat", "Aditya",
    "Yoga", "Ilham", "Fikri", "Reza", "Galih", "Eko", "Syahrul", "Firman", "Akbar", "Wahyu",
    "Yusuf", "Irfan", "Daffa", "Farhan", "Raka", "Rendi", "Aji", "Gusti", "Hafiz", "Naufal",
)  # fmt: skip
FEMALE_FIRST = (
    "Siti", "Nur", "Dewi", "Putri", "Ayu", "Rina", "Aulia", "Nabila", "Annisa", "Fitri",
    "Intan", "Rahma", "Salsabila", "Dinda", "Zahra", "Citra", "Wulan", "Indah", "Melati", "Sari",
    "Laila", "Nadia", "Tiara", "Yulia", "Safira", "Keisha", "Alya", "Mutiara", "Andi", "Dayang",
)  # fmt: skip
MALE_MIDDLE = ("Rizki", "Dwi", "Tri", "Nur", "Putra", "Ramadhan", "Maulana", "Aditya", "Fadli")
FEMALE_MIDDLE = ("Dwi", "Tri", "Nur", "Sri", "Kurnia", "Amalia", "Rahmadani", "Aprilia", "Nurul")
MALE_LAST = (
    "Pratama", "Saputra", "Hidayat", "Setiawan", "Wijaya", "Kurniawan", "Ramadhan", "Nugroho",
    "Santoso", "Syahputra", "Firmansyah", "Rahman", "Hasan", "Gunawan", "Hakim", "Effendi",
    "Maulana", "Akbar", "Fauzan", "Anshari",
)  # fmt: skip
FEMALE_LAST = (
    "Lestari", "Wulandari", "Rahmawati", "Anggraini", "Permatasari", "Safitri", "Maharani",
    "Handayani", "Puspitasari", "Utami", "Rahmadhani", "Fitriani", "Nuraini", "Hasanah",
    "Amelia", "Kartika", "Oktaviani", "Ramadhani", "Azzahra", "Febriyanti",
)  # fmt: skip
# The town a school's regency is known by, for birth places and addresses.
TOWNS = {
    "6401": "Tanah Grogot", "6402": "Sendawar", "6403": "Tenggarong", "6404": "Sangatta",
    "6405": "Tanjung Redeb", "6409": "Penajam", "6411": "Long Bagun", "6471": "Balikpapan",
    "6472": "Samarinda", "6474": "Bontang",
}  # fmt: skip
OTHER_BIRTH_PLACES = (
    "Samarinda", "Balikpapan", "Bontang", "Tenggarong", "Sangatta", "Loa Kulu", "Muara Badak",
    "Sanga-Sanga", "Kota Bangun", "Banjarmasin", "Makassar", "Parepare", "Surabaya",
)  # fmt: skip
STREETS = (
    "Jl. Pangeran Antasari", "Jl. Ir. H. Juanda", "Jl. Ahmad Yani", "Jl. Sultan Hasanuddin",
    "Jl. Pramuka", "Jl. M.T. Haryono", "Jl. Gatot Subroto", "Jl. Mulawarman", "Jl. Bhayangkara",
    "Jl. Cendana", "Jl. Merdeka", "Jl. Letjen Suprapto", "Jl. Kadrie Oening", "Jl. Siradj Salman",
    "Jl. Damanhuri", "Jl. Wahid Hasyim", "Jl. Sungai Ampal", "Jl. Pattimura",
)  # fmt: skip
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0877", "0895")
# Class X, XI and XII in school year 2025/2026: born in these years, graduating in that one.
LEVELS = {"X": ((2009,), 2028), "XI": ((2009, 2008), 2027), "XII": ((2008, 2007), 2026)}


@dataclass(frozen=True)
class _Student:
    npsn: str
    concentration: str
    nisn: str
    nik: str
    full_name: str
    sex: str
    birth_place: str
    birth_date: datetime.date
    address: str
    phone: str
    level: str
    class_name: str
    graduation_year: int


def _school_slots() -> list[tuple[str, int]]:
    """(NPSN, weight) of every demo LSP's host and network schools, in the order lsp/demo.py
    lists them."""
    slots = []
    for lsp in LSPS:
        slots.append((lsp.host, HOST_WEIGHT))
        slots.extend((npsn, 1) for npsn in lsp.network)
    return slots


@cache
def planned_students() -> tuple[_Student, ...]:
    """The demo students: the same on every run (they depend only on the lists above and on
    lsp/demo.py's schools, whose concentrations that module keeps as listed)."""
    rng = random.Random(SEED)
    schools = {school.npsn: school for school in SCHOOLS}
    slots = _school_slots()
    per_weight = STUDENT_COUNT // sum(weight for _npsn, weight in slots)
    serials = rng.sample(range(1_000_000, 10_000_000), STUDENT_COUNT)
    students = []
    for npsn, weight in slots:
        for _ in range(weight * per_weight):
            index = len(students)
            students.append(_plan_one(rng, schools[npsn], index=index, serial=serials[index]))
    return tuple(students)


def _plan_one(rng: random.Random, school, *, index: int, serial: int) -> _Student:
    sex = rng.choice("LP")
    male = sex == "L"
    names = [rng.choice(MALE_FIRST if male else FEMALE_FIRST)]
    if rng.random() < 0.4:
        names.append(rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE))
    names.append(rng.choice(MALE_LAST if male else FEMALE_LAST))
    level = rng.choice(tuple(LEVELS))
    years, graduation = LEVELS[level]
    birth = datetime.date(rng.choice(years), 1, 1) + datetime.timedelta(days=rng.randrange(365))
    concentration = rng.choice(school.concentrations)
    town = TOWNS[school.regency]
    born_in = town if rng.random() < 0.75 else rng.choice(OTHER_BIRTH_PLACES)
    address = (
        f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}, RT {rng.randint(1, 40):03d}, {town}"
    )
    phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    district = rng.randint(1, 10)
    return _Student(
        npsn=school.npsn,
        concentration=concentration,
        # NISN: the last three digits of the birth year, then a serial (hence its leading zeros).
        nisn=f"{birth.year % 1000:03d}{serial:07d}",
        # NIK: regency, district, birth date (day + 40 for women), then a sequence number.
        nik=(
            f"{school.regency}{district:02d}{birth.day + (0 if male else 40):02d}"
            f"{birth.month:02d}{birth.year % 100:02d}{index + 1:04d}"
        ),
        full_name=" ".join(dict.fromkeys(names)),
        sex=sex,
        birth_place=born_in,
        birth_date=birth,
        address=address,
        phone=phone,
        level=level,
        class_name=f"{level} {concentration} {rng.randint(1, 3)}",
        graduation_year=graduation,
    )


# --- Build and delete -----------------------------------------------------------------------------
