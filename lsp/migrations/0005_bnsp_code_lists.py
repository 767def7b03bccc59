"""BNSP's code lists for the blank-request list: education, occupation, funding source.

The codes follow the columns of BNSP's asesi list as LSPs fill it in; BNSP revises them, so they
are rows a superuser edits (Django admin), not constants. Reverse removes only unused rows.
"""

from django.db import migrations

EDUCATION = [
    ("1", "SD/MI sederajat", False),
    ("2", "SMP/MTs sederajat", True),  # what a student still at the SMK has completed
    ("3", "SMA/SMK/MA sederajat", False),
    ("4", "Diploma I", False),
    ("5", "Diploma II", False),
    ("6", "Diploma III", False),
    ("7", "Diploma IV/Sarjana (S1)", False),
    ("8", "Magister (S2)", False),
    ("9", "Doktor (S3)", False),
]
OCCUPATION = [
    ("1", "Pelajar/Mahasiswa", True),
    ("2", "Belum/Tidak Bekerja", False),
    ("3", "Pegawai Negeri Sipil", False),
    ("4", "Karyawan Swasta", False),
    ("5", "Wiraswasta", False),
    ("6", "Guru/Dosen", False),
    ("9", "Lainnya", False),
]
FUNDING = [
    # code, name, default, is BANPER
    ("1", "Bantuan Pemerintah (BANPER) Kemendikdasmen", False, True),
    ("2", "Anggaran Sekolah (BOS/BOSP)", True, False),
    ("3", "APBD Provinsi", False, False),
    ("4", "Mandiri (biaya sendiri)", False, False),
    ("5", "Industri/Dunia Kerja", False, False),
]


def load(apps, schema_editor):
    for model, rows in (("Education", EDUCATION), ("Occupation", OCCUPATION)):
        Model = apps.get_model("lsp", model)
        for code, name, default in rows:
            Model.objects.update_or_create(
                code=code, defaults={"name": name, "is_default": default}
            )
    FundingSource = apps.get_model("lsp", "FundingSource")
    for code, name, default, banper in FUNDING:
        FundingSource.objects.update_or_create(
            code=code, defaults={"name": name, "is_default": default, "is_banper": banper}
        )


def unload(apps, schema_editor):
    apps.get_model("lsp", "Education").objects.filter(code__in=[r[0] for r in EDUCATION]).delete()
    apps.get_model("lsp", "Occupation").objects.filter(code__in=[r[0] for r in OCCUPATION]).delete()
    apps.get_model("lsp", "FundingSource").objects.filter(
        code__in=[r[0] for r in FUNDING], sessions=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("lsp", "0004_code_lists_lsp_settings")]

    operations = [migrations.RunPython(load, unload)]
