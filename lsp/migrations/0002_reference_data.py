"""Reference data: provinces (BPS codes), the regencies and cities of Kalimantan Timur, and the
programmes and concentrations of Kurikulum Merdeka that Kaltim's SMKs teach. A superuser may edit
them afterwards; reverse removes only what this migration added and nothing refers to."""

from django.db import migrations

PROVINCES = [
    ("11", "Aceh"),
    ("12", "Sumatera Utara"),
    ("13", "Sumatera Barat"),
    ("14", "Riau"),
    ("15", "Jambi"),
    ("16", "Sumatera Selatan"),
    ("17", "Bengkulu"),
    ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"),
    ("21", "Kepulauan Riau"),
    ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"),
    ("33", "Jawa Tengah"),
    ("34", "DI Yogyakarta"),
    ("35", "Jawa Timur"),
    ("36", "Banten"),
    ("51", "Bali"),
    ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"),
    ("61", "Kalimantan Barat"),
    ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"),
    ("64", "Kalimantan Timur"),
    ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"),
    ("72", "Sulawesi Tengah"),
    ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"),
    ("75", "Gorontalo"),
    ("76", "Sulawesi Barat"),
    ("81", "Maluku"),
    ("82", "Maluku Utara"),
    ("91", "Papua Barat"),
    ("92", "Papua Barat Daya"),
    ("94", "Papua"),
    ("95", "Papua Selatan"),
    ("96", "Papua Tengah"),
    ("97", "Papua Pegunungan"),
]

KALTIM_REGENCIES = [
    ("6401", "Paser", "kabupaten"),
    ("6402", "Kutai Barat", "kabupaten"),
    ("6403", "Kutai Kartanegara", "kabupaten"),
    ("6404", "Kutai Timur", "kabupaten"),
    ("6405", "Berau", "kabupaten"),
    ("6409", "Penajam Paser Utara", "kabupaten"),
    ("6411", "Mahakam Ulu", "kabupaten"),
    ("6471", "Balikpapan", "kota"),
    ("6472", "Samarinda", "kota"),
    ("6474", "Bontang", "kota"),
]

PROGRAMMES = {
    "Teknik Jaringan Komputer dan Telekomunikasi": [
        ("Teknik Komputer dan Jaringan", "TKJ"),
        ("Teknik Jaringan Akses Telekomunikasi", "TJAT"),
    ],
    "Pengembangan Perangkat Lunak dan Gim": [
        ("Rekayasa Perangkat Lunak", "RPL"),
        ("Pengembangan Gim", "PG"),
    ],
    "Akuntansi dan Keuangan Lembaga": [("Akuntansi dan Keuangan Lembaga", "AKL")],
    "Manajemen Perkantoran dan Layanan Bisnis": [("Manajemen Perkantoran", "MP")],
    "Pemasaran": [("Bisnis Retail", "BR"), ("Bisnis Digital", "BD")],
    "Kuliner": [("Kuliner (Tata Boga)", "KUL")],
    "Perhotelan": [("Perhotelan", "PH")],
    "Desain Komunikasi Visual": [("Desain Komunikasi Visual", "DKV")],
    "Teknik Otomotif": [
        ("Teknik Kendaraan Ringan", "TKR"),
        ("Teknik dan Bisnis Sepeda Motor", "TBSM"),
        ("Teknik Alat Berat", "TAB"),
    ],
    "Teknik Mesin": [("Teknik Pemesinan", "TPM"), ("Teknik Pengelasan", "TLAS")],
    "Teknik Ketenagalistrikan": [("Teknik Instalasi Tenaga Listrik", "TITL")],
    "Teknik Geologi Pertambangan": [("Teknik Geologi Pertambangan", "TGP")],
    "Layanan Kesehatan": [("Asisten Keperawatan", "AKP")],
    "Agribisnis Tanaman": [("Agribisnis Tanaman Pangan dan Hortikultura", "ATPH")],
}


def load(apps, schema_editor):
    Province = apps.get_model("lsp", "Province")
    Regency = apps.get_model("lsp", "Regency")
    Programme = apps.get_model("lsp", "Programme")
    Concentration = apps.get_model("lsp", "Concentration")
    for code, name in PROVINCES:
        Province.objects.update_or_create(code=code, defaults={"name": name})
    kaltim = Province.objects.get(code="64")
    for code, name, kind in KALTIM_REGENCIES:
        Regency.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "province": kaltim}
        )
    for programme_name, concentrations in PROGRAMMES.items():
        programme, _ = Programme.objects.get_or_create(name=programme_name)
        for name, abbreviation in concentrations:
            Concentration.objects.update_or_create(
                abbreviation=abbreviation, defaults={"name": name, "programme": programme}
            )


def unload(apps, schema_editor):
    apps.get_model("lsp", "Concentration").objects.filter(
        abbreviation__in=[a for items in PROGRAMMES.values() for _, a in items], schools=None
    ).delete()
    apps.get_model("lsp", "Regency").objects.filter(
        code__in=[c for c, _, _ in KALTIM_REGENCIES], schools=None, tuks=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("lsp", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
