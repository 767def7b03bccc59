"""Demo data for assessments: real-looking schemes (units, elements, KUK) and ~600 students.

Runs after lsp/demo.py and builds on its three LSPs and their schools. Like it, a second run
writes nothing: schemes and units are looked up by their natural keys and saved only where a value
differs (elements and KUK through the same in-place writers the spreadsheet import uses), and the
students are planned from a seeded random stream over fixed lists, so every run plans the same
students and only those whose NISN is missing are created.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from lsp.demo import LSPS, DemoSummary, _upsert
from lsp.models import Concentration, Lsp, School

from .demo_funding import delete_funding, seed_funding
from .demo_scopes import seed_scopes
from .demo_sessions import delete_sessions, seed_sessions
from .demo_students import SCHOOL_YEAR, _Student, planned_students
from .models import Candidate, Criterion, Element, Scheme, Unit
from .services.scheme_import import replace_unit_elements, set_scheme_units

SAMARINDA, BALIKPAPAN, BONTANG = (lsp.name for lsp in LSPS)


@dataclass(frozen=True)
class _Unit:
    title: str
    title_en: str
    elements: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Scheme:
    lsp: str
    code: str
    title: str
    title_en: str
    kind: str
    level: int | None
    concentration: str
    units: tuple[str, ...]


UNITS = {
    # Teknik Komputer dan Jaringan
    "J.611000.001.01": _Unit("Memasang Jaringan Kabel", "Installing Cabled Networks", (
        ("Merencanakan pemasangan jaringan kabel", (
            "Gambar topologi jaringan dibaca sesuai dokumen rancangan.",
            "Kebutuhan kabel, konektor dan perangkat dihitung sesuai denah lokasi.",
            "Peralatan kerja dan alat pelindung diri disiapkan sesuai prosedur K3.",
        )),
        ("Memasang kabel jaringan", (
            "Kabel UTP dipasangi konektor RJ-45 sesuai standar TIA/EIA-568B.",
            "Kabel ditarik dan dirapikan melalui jalur kabel tanpa tekukan tajam.",
            "Kedua ujung kabel diberi label sesuai penomoran titik jaringan.",
        )),
        ("Menguji hasil pemasangan", (
            "Setiap kabel diuji dengan LAN tester dan hasilnya dicatat.",
            "Kabel yang gagal uji diperbaiki dan diuji ulang.",
        )),
    )),
    "J.611000.002.01": _Unit("Memasang Jaringan Nirkabel", "Installing Wireless Networks", (
        ("Menyiapkan perangkat nirkabel", (
            "Spesifikasi access point diperiksa sesuai kebutuhan area layanan.",
            "Lokasi access point ditentukan berdasarkan survei sinyal.",
        )),
        ("Mengonfigurasi access point", (
            "SSID dan kanal diatur sesuai rancangan jaringan.",
            "Keamanan WPA2/WPA3 diaktifkan dengan kata sandi sesuai kebijakan.",
            "Alamat IP manajemen diatur sesuai skema pengalamatan.",
        )),
        ("Menguji koneksi nirkabel", (
            "Kekuatan sinyal diukur di setiap titik layanan.",
            "Klien terhubung dan memperoleh alamat IP.",
        )),
    )),
    "J.611000.004.01": _Unit(
        "Mengonfigurasi Switch dan Router", "Configuring Switches and Routers", (
        ("Mengonfigurasi switch terkelola", (
            "VLAN dibuat sesuai pembagian segmen jaringan.",
            "Port akses dan trunk diatur sesuai rancangan.",
            "Konfigurasi disimpan dan dicadangkan.",
        )),
        ("Mengonfigurasi router", (
            "Alamat IP antarmuka diatur sesuai skema pengalamatan.",
            "Routing statis atau dinamis dikonfigurasi sehingga antarjaringan terhubung.",
            "NAT dikonfigurasi agar klien dapat mengakses internet.",
        )),
    )),
    "J.611000.009.01": _Unit(
        "Memperbaiki dan/atau Mengatur Ulang Koneksi Jaringan",
        "Repairing and/or Resetting Network Connections", (
        ("Mengidentifikasi gangguan jaringan", (
            "Keluhan pengguna dicatat dan gejala gangguan diidentifikasi.",
            "Perintah diagnosis (ping, traceroute) dijalankan untuk melokalisasi gangguan.",
        )),
        ("Memperbaiki gangguan", (
            "Penyebab gangguan ditentukan berdasarkan hasil diagnosis.",
            "Perbaikan dilakukan sesuai prosedur tanpa mengganggu layanan lain.",
            "Hasil perbaikan diuji dan dilaporkan kepada pengguna.",
        )),
    )),
    "J.611000.012.01": _Unit(
        "Mengadministrasi Server dalam Jaringan", "Administering Servers in a Network", (
        ("Memasang sistem operasi server", (
            "Sistem operasi server dipasang sesuai spesifikasi perangkat.",
            "Akun administrator dibuat dengan kata sandi yang aman.",
        )),
        ("Mengonfigurasi layanan jaringan", (
            "Layanan DHCP dikonfigurasi sesuai rentang alamat yang ditentukan.",
            "Layanan DNS dikonfigurasi sehingga nama domain dapat diterjemahkan.",
            "Layanan berbagi berkas dikonfigurasi dengan hak akses pengguna.",
        )),
        ("Memelihara server", (
            "Pembaruan keamanan dipasang secara berkala.",
            "Cadangan data dibuat dan diuji pemulihannya.",
        )),
    )),
    # Akuntansi dan Keuangan Lembaga
    "M.692000.001.02": _Unit(
        "Menerapkan Prinsip Praktik Profesional dalam Bekerja",
        "Applying Principles of Professional Practice at Work", (
        ("Menerapkan kode etik profesi", (
            "Prinsip integritas, objektivitas dan kerahasiaan diterapkan dalam pekerjaan.",
            "Konflik kepentingan diidentifikasi dan dilaporkan kepada atasan.",
        )),
        ("Bekerja sesuai prosedur organisasi", (
            "Tugas dikerjakan sesuai standar operasional prosedur.",
            "Dokumen kerja disimpan dengan rapi dan aman.",
        )),
    )),
    "M.692000.002.02": _Unit(
        "Menerapkan Praktik-Praktik Kesehatan dan Keselamatan di Tempat Kerja",
        "Applying Occupational Health and Safety Practices", (
        ("Mengidentifikasi bahaya di tempat kerja", (
            "Potensi bahaya di area kerja kantor diidentifikasi.",
            "Bahaya dilaporkan kepada petugas K3 sesuai prosedur.",
        )),
        ("Menerapkan prosedur K3", (
            "Posisi kerja ergonomis diterapkan saat bekerja dengan komputer.",
            "Prosedur keadaan darurat dipahami dan diikuti.",
            "Area kerja dijaga tetap bersih dan aman.",
        )),
    )),
    "M.692000.006.02": _Unit("Memproses Entri Jurnal", "Processing Journal Entries", (
        ("Menyiapkan bukti transaksi", (
            "Bukti transaksi diperiksa kelengkapan dan keabsahannya.",
            "Bukti transaksi dikelompokkan menurut jenis transaksi.",
        )),
        ("Mencatat transaksi ke dalam jurnal", (
            "Transaksi dianalisis untuk menentukan akun yang didebit dan dikredit.",
            "Transaksi dicatat dalam jurnal umum atau jurnal khusus yang sesuai.",
            "Keseimbangan jumlah debit dan kredit jurnal diperiksa.",
        )),
    )),
    "M.692000.007.02": _Unit("Memproses Buku Besar", "Processing the General Ledger", (
        ("Memindahbukukan jurnal", (
            "Jurnal diposting ke akun buku besar yang sesuai.",
            "Saldo setiap akun dihitung dengan benar.",
        )),
        ("Menyusun neraca saldo", (
            "Saldo akun buku besar dipindahkan ke neraca saldo.",
            "Selisih neraca saldo ditelusuri dan diperbaiki.",
        )),
    )),
    "M.692000.020.02": _Unit("Menyusun Laporan Keuangan", "Preparing Financial Statements", (
        ("Menyiapkan jurnal penyesuaian", (
            "Data penyesuaian akhir periode diidentifikasi.",
            "Jurnal penyesuaian dibuat dan diposting ke buku besar.",
        )),
        ("Menyusun laporan keuangan", (
            "Laporan laba rugi disusun sesuai standar akuntansi yang berlaku.",
            "Laporan perubahan ekuitas dan laporan posisi keuangan disusun.",
            "Laporan keuangan diperiksa dan diserahkan kepada pihak yang berwenang.",
        )),
    )),
    # Kuliner (Tata Boga): older unit codes
    "I.56TBG00.001.1": _Unit(
        "Mengikuti Prosedur Kesehatan, Keselamatan dan Keamanan Kerja di Dapur",
        "Following Health, Safety and Security Procedures in the Kitchen", (
        ("Mengikuti prosedur K3 dapur", (
            "Prosedur K3 dapur dipahami dan diterapkan.",
            "Alat pelindung diri digunakan sesuai jenis pekerjaan.",
        )),
        ("Menangani keadaan darurat", (
            "Situasi darurat dikenali dan dilaporkan.",
            "Alat pemadam api ringan digunakan sesuai prosedur.",
        )),
    )),
    "I.56TBG00.002.1": _Unit("Menerapkan Higiene dan Sanitasi", "Applying Hygiene and Sanitation", (
        ("Menerapkan higiene perorangan", (
            "Pakaian kerja yang bersih dan lengkap dikenakan.",
            "Tangan dicuci sesuai prosedur sebelum mengolah makanan.",
        )),
        ("Menjaga sanitasi area kerja", (
            "Peralatan dan permukaan kerja dibersihkan dan disanitasi.",
            "Sampah dapur dipilah dan dibuang sesuai prosedur.",
            "Bahan makanan disimpan pada suhu yang tepat.",
        )),
    )),
    "I.56TBG00.004.1": _Unit("Menggunakan Peralatan Dapur", "Using Kitchen Equipment", (
        ("Memilih peralatan dapur", (
            "Peralatan dipilih sesuai jenis masakan.",
            "Kebersihan dan kelayakan peralatan diperiksa sebelum digunakan.",
        )),
        ("Menggunakan dan merawat peralatan", (
            "Peralatan digunakan sesuai petunjuk pabrik.",
            "Peralatan dibersihkan dan disimpan setelah digunakan.",
        )),
    )),
    "I.56TBG00.010.1": _Unit(
        "Mengolah Hidangan Pembuka Kontinental", "Preparing Continental Appetisers", (
        ("Menyiapkan bahan hidangan pembuka", (
            "Bahan dipilih sesuai resep standar.",
            "Bahan ditimbang dan dipotong sesuai resep.",
        )),
        ("Mengolah hidangan pembuka", (
            "Hidangan pembuka dingin dan panas diolah sesuai resep.",
            "Saus dan dressing dibuat dengan kekentalan yang tepat.",
        )),
        ("Menyajikan hidangan pembuka", (
            "Hidangan disajikan pada alat saji dan suhu yang tepat.",
            "Garnish dipilih sesuai karakter hidangan.",
        )),
    )),
    "I.56TBG00.013.1": _Unit(
        "Mengolah Hidangan Utama Kontinental", "Preparing Continental Main Courses", (
        ("Mengolah hidangan utama", (
            "Daging, unggas atau ikan diolah dengan teknik memasak yang sesuai.",
            "Tingkat kematangan sesuai pesanan.",
            "Makanan pendamping dan saus disiapkan sesuai resep.",
        )),
        ("Menyajikan hidangan utama", (
            "Hidangan ditata menarik pada piring saji.",
            "Hidangan disajikan tepat waktu pada suhu yang benar.",
        )),
    )),
    # Bisnis Retail
    "G.46RIT00.001.1": _Unit(
        "Menerapkan Prosedur Kesehatan dan Keselamatan Kerja di Toko",
        "Applying Health and Safety Procedures in the Store", (
        ("Mengidentifikasi bahaya di area toko", (
            "Bahaya di area penjualan dan gudang diidentifikasi.",
            "Bahaya dilaporkan kepada penyelia.",
        )),
        ("Bekerja dengan aman", (
            "Barang diangkat dengan teknik yang aman.",
            "Jalur evakuasi dijaga bebas hambatan.",
        )),
    )),
    "G.46RIT00.004.1": _Unit("Melayani Pelanggan", "Serving Customers", (
        ("Menyambut pelanggan", (
            "Pelanggan disapa dengan ramah dan sopan.",
            "Kebutuhan pelanggan digali dengan pertanyaan yang tepat.",
        )),
        ("Memberikan informasi produk", (
            "Informasi produk disampaikan dengan benar.",
            "Produk alternatif ditawarkan bila produk yang dicari tidak tersedia.",
        )),
        ("Menangani keluhan pelanggan", (
            "Keluhan didengarkan dan dicatat.",
            "Penyelesaian keluhan diberikan sesuai kebijakan toko.",
        )),
    )),
    "G.46RIT00.008.1": _Unit("Memajang Barang Dagangan", "Displaying Merchandise", (
        ("Menyiapkan pajangan", (
            "Barang disiapkan sesuai rencana pajangan (planogram).",
            "Label harga dipasang sesuai harga yang berlaku.",
        )),
        ("Memelihara pajangan", (
            "Pajangan diperiksa dan dirapikan secara berkala.",
            "Barang rusak atau kedaluwarsa ditarik dari pajangan.",
        )),
    )),
    "G.46RIT00.012.1": _Unit("Melakukan Transaksi Penjualan", "Processing Sales Transactions", (
        ("Memproses pembayaran", (
            "Barang dipindai dan jumlah belanja diinformasikan kepada pelanggan.",
            "Pembayaran tunai dan nontunai diproses dengan benar.",
            "Struk diserahkan bersama uang kembalian.",
        )),
        ("Menutup kas", (
            "Uang di laci kas dihitung dan dicocokkan dengan laporan penjualan.",
            "Selisih kas dilaporkan kepada penyelia.",
        )),
    )),
    # Rekayasa Perangkat Lunak
    "J.620100.004.02": _Unit("Menggunakan Struktur Data", "Using Data Structures", (
        ("Mengidentifikasi konsep data dan struktur data", (
            "Konsep data dan struktur data diidentifikasi sesuai konteks permasalahan.",
            "Kelebihan dan kekurangan alternatif struktur data dibandingkan.",
        )),
        ("Menerapkan struktur data dan akses terhadapnya", (
            "Struktur data diimplementasikan sesuai bahasa pemrograman yang digunakan.",
            "Akses terhadap data dinyatakan dalam algoritma yang efisien.",
        )),
    )),
    "J.620100.005.02": _Unit("Mengimplementasikan User Interface", "Implementing User Interfaces", (
        ("Mengidentifikasi rancangan user interface", (
            "Rancangan user interface diidentifikasi sesuai kebutuhan.",
            "Komponen dialog diidentifikasi sesuai konteks rancangan proses.",
        )),
        ("Menerapkan user interface", (
            "Menu program dibuat sesuai rancangan.",
            "Penempatan dialog diatur secara berurutan.",
            "Mock-up dibuat untuk memastikan rancangan sesuai kebutuhan.",
        )),
    )),
    "J.620100.009.01": _Unit("Menggunakan Spesifikasi Program", "Using Program Specifications", (
        ("Menggunakan metode pengembangan program", (
            "Metode pengembangan aplikasi didefinisikan.",
            "Metode pengembangan aplikasi dipilih sesuai kebutuhan.",
        )),
        ("Menggunakan diagram dan deskripsi program", (
            "Diagram program dibuat dengan metodologi pengembangan sistem.",
            "Hubungan antarobjek didefinisikan dalam diagram.",
        )),
    )),
    "J.620100.016.01": _Unit(
        "Menulis Kode dengan Prinsip sesuai Guidelines dan Best Practices",
        "Writing Code Following Guidelines and Best Practices", (
        ("Menerapkan coding guidelines", (
            "Kode program disusun sesuai panduan penulisan yang berlaku.",
            "Penamaan variabel, fungsi dan kelas dibuat konsisten.",
        )),
        ("Menggunakan ukuran performa dalam menulis kode", (
            "Efisiensi penggunaan sumber daya dihitung.",
            "Kebutuhan daya komputasi diperkirakan.",
        )),
    )),
    "J.620100.017.02": _Unit(
        "Mengimplementasikan Pemrograman Terstruktur", "Implementing Structured Programming", (
        ("Menggunakan tipe data dan kontrol program", (
            "Tipe data ditentukan sesuai kebutuhan.",
            "Sintaks program dituliskan sesuai bahasa pemrograman.",
            "Struktur percabangan dan perulangan digunakan dengan benar.",
        )),
        ("Membuat program sederhana", (
            "Program dibuat untuk memasukkan data dan menampilkannya.",
            "Program dijalankan tanpa kesalahan.",
        )),
    )),
}  # fmt: skip

TKJ_UNITS = ("J.611000.001.01", "J.611000.002.01", "J.611000.004.01", "J.611000.009.01",
             "J.611000.012.01")  # fmt: skip
AKL_UNITS = ("M.692000.001.02", "M.692000.002.02", "M.692000.006.02", "M.692000.007.02",
             "M.692000.020.02")  # fmt: skip

SCHEMES = (
    _Scheme(SAMARINDA, "SKM/BNSP/00010/1/2020/33",
            "Kualifikasi KKNI Level II pada Kompetensi Keahlian Teknik Komputer dan Jaringan",
            "KKNI Level II Qualification in Computer and Network Engineering",
            Scheme.Kind.KKNI, 2, "TKJ", TKJ_UNITS),
    _Scheme(SAMARINDA, "SKM/BNSP/00142/2/2021/33", "Okupasi Teknisi Akuntansi Junior",
            "Junior Accounting Technician", Scheme.Kind.OKUPASI, None, "AKL", AKL_UNITS),
    _Scheme(SAMARINDA, "SKM/BNSP/00233/3/2022/33", "Klaster Pengolahan Makanan Kontinental",
            "Continental Food Preparation Cluster", Scheme.Kind.KLASTER, None, "KUL",
            ("I.56TBG00.001.1", "I.56TBG00.002.1", "I.56TBG00.004.1", "I.56TBG00.010.1",
             "I.56TBG00.013.1")),
    _Scheme(BALIKPAPAN, "SKM/BNSP/00318/2/2021/41", "Okupasi Pramuniaga", "Shop Assistant",
            Scheme.Kind.OKUPASI, None, "BR",
            ("G.46RIT00.001.1", "G.46RIT00.004.1", "G.46RIT00.008.1", "G.46RIT00.012.1")),
    _Scheme(BALIKPAPAN, "SKM/BNSP/00319/2/2021/41", "Okupasi Teknisi Akuntansi Junior",
            "Junior Accounting Technician", Scheme.Kind.OKUPASI, None, "AKL", AKL_UNITS),
    _Scheme(BONTANG, "SKM/BNSP/00457/1/2022/57",
            "Kualifikasi KKNI Level II pada Kompetensi Keahlian Rekayasa Perangkat Lunak",
            "KKNI Level II Qualification in Software Engineering", Scheme.Kind.KKNI, 2, "RPL",
            ("J.620100.004.02", "J.620100.005.02", "J.620100.009.01", "J.620100.016.01",
             "J.620100.017.02")),
    _Scheme(BONTANG, "SKM/BNSP/00458/1/2022/57",
            "Kualifikasi KKNI Level II pada Kompetensi Keahlian Teknik Komputer dan Jaringan",
            "KKNI Level II Qualification in Computer and Network Engineering",
            Scheme.Kind.KKNI, 2, "TKJ", TKJ_UNITS),
)  # fmt: skip


# --- Students -------------------------------------------------------------------------------------
def build_demo(*, today: datetime.date) -> DemoSummary:
    """Create or refresh the demo schemes and students (the command deletes them for --reset)."""
    summary = DemoSummary(totals={})
    with transaction.atomic():
        lsps = {lsp.name: lsp for lsp in Lsp.objects.filter(name__in=[s.name for s in LSPS])}
        seed_schemes(summary=summary, lsps=lsps)
        seed_students(summary=summary, lsps=lsps)
        seed_scopes(summary=summary, codes=[s.code for s in SCHEMES], today=today)
        seed_sessions(summary=summary, lsps=lsps, today=today)
        seed_funding(summary=summary, lsps=lsps, today=today)
    return summary


def delete_demo() -> int:
    """Delete the students, schemes and units the demo creates, found by their natural keys."""
    owned = (
        Candidate.objects.filter(nisn__in=[s.nisn for s in planned_students()]),
        Scheme.objects.filter(code__in=[s.code for s in SCHEMES]),
        Unit.objects.filter(lsp__name__in=[s.lsp for s in SCHEMES], code__in=list(UNITS)),
    )
    # Order matters: a session protects its funding programme, a scheme its units, a student
    # their school.
    return delete_sessions() + delete_funding() + sum(q.delete()[0] for q in owned)


def seed_schemes(*, summary: DemoSummary, lsps: dict[str, Lsp]) -> None:
    concentrations = Concentration.objects.in_bulk(
        {s.concentration for s in SCHEMES}, field_name="abbreviation"
    )
    for seed in SCHEMES:
        lsp = lsps.get(seed.lsp)
        if lsp is None:
            continue
        units = [_seed_unit(lsp, code, summary=summary) for code in seed.units]
        scheme, created = _upsert(
            Scheme,
            summary=summary,
            lookup={"code": seed.code},
            values={
                "lsp": lsp,
                "title": seed.title,
                "title_en": seed.title_en,
                "kind": seed.kind,
                "kkni_level": seed.level,
                "concentration": concentrations[seed.concentration],
                "is_active": True,
            },
        )
        _count(summary, set_scheme_units(scheme=scheme, units=units), new=created)
    codes = [s.code for s in SCHEMES]
    summary.totals["schemes"] = Scheme.objects.filter(code__in=codes).count()
    summary.totals["units"] = Unit.objects.filter(schemes__code__in=codes).distinct().count()
    summary.totals["elements"] = (
        Element.objects.filter(unit__schemes__code__in=codes).distinct().count()
    )
    summary.totals["KUK"] = (
        Criterion.objects.filter(element__unit__schemes__code__in=codes).distinct().count()
    )


def _seed_unit(lsp: Lsp, code: str, *, summary: DemoSummary) -> Unit:
    seed = UNITS[code]
    unit, created = _upsert(
        Unit,
        summary=summary,
        lookup={"lsp": lsp, "code": code},
        values={"title": seed.title, "title_en": seed.title_en},
    )
    _count(summary, replace_unit_elements(unit=unit, elements=seed.elements), new=created)
    return unit


def _count(summary: DemoSummary, rows: int, *, new: bool) -> None:
    # Filling in a row just created is part of creating it, not a change.
    if new:
        summary.created += rows
    else:
        summary.changed += rows


def seed_students(*, summary: DemoSummary, lsps: dict[str, Lsp]) -> None:
    """Create the planned students that are missing.

    bulk_create skips the audit trail's signals: acceptable for demo data, which no one typed.
    """
    plan = planned_students()
    schools = {
        school.npsn: school for school in School.objects.of_lsps([lsp.pk for lsp in lsps.values()])
    }
    concentrations = Concentration.objects.in_bulk(
        {s.concentration for s in plan}, field_name="abbreviation"
    )
    nisns = [s.nisn for s in plan]
    taken_nisn = set(Candidate.objects.filter(nisn__in=nisns).values_list("nisn", flat=True))
    # A NIK typed in by hand could collide with a planned one: that student is left out.
    taken_nik = set(
        Candidate.objects.filter(nik__in=[s.nik for s in plan]).values_list("nik", flat=True)
    )
    new = [
        _candidate(student, schools[student.npsn], concentrations[student.concentration])
        for student in plan
        if student.nisn not in taken_nisn
        and student.nik not in taken_nik
        and student.npsn in schools
    ]
    Candidate.objects.bulk_create(new, batch_size=500)
    summary.created += len(new)
    summary.totals["students"] = Candidate.objects.filter(nisn__in=nisns).count()


def _candidate(student: _Student, school: School, concentration: Concentration) -> Candidate:
    return Candidate(
        full_name=student.full_name,
        nisn=student.nisn,
        nik=student.nik,
        birth_place=student.birth_place,
        birth_date=student.birth_date,
        sex=student.sex,
        address=student.address,
        phone=student.phone,
        school=school,
        concentration=concentration,
        level=student.level,
        class_name=student.class_name,
        school_year=SCHOOL_YEAR,
        graduation_year=student.graduation_year,
    )
