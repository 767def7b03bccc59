"""The activity kinds of the national platform (Perdirjen GTK 7607/B.B1/HK.03/2023), as loaded by
the data migration. Data, not code: a superuser edits them in the admin."""

KINDS = (
    # code, name, points, evidence, duration, suggested from Kompeten's records
    ("pelatihan-mandiri", "Pelatihan mandiri dan aksi nyata", 8, "Sertifikat topik", "", ""),
    ("observasi-sejawat", "Observasi praktik pembelajaran bersama rekan sejawat", 8, "Laporan",
     "", ""),
    ("penggerak-komunitas", "Penggerak komunitas belajar (3 kegiatan berbagi praktik baik)", 36,
     "Sertifikat", "3 kegiatan", ""),
    ("narasumber", "Narasumber berbagi praktik baik", 8, "Sertifikat", "2–3 jam", ""),
    ("peserta-komunitas", "Peserta berbagi praktik baik komunitas belajar", 4, "Sertifikat",
     "2–3 jam", ""),
    ("program-jangka-menengah", "Program pelatihan dan pendidikan jangka pendek/menengah", 128,
     "Sertifikat", "3–6 bulan", ""),
    ("pelatihan-bersertifikat", "Pelatihan atau bimbingan teknis bersertifikat", 8, "Sertifikat",
     "2–3 hari", "assessor_certificate"),
    ("magang", "Praktik magang", 24, "Sertifikat", "2–4 minggu", ""),
    ("seminar-lokakarya", "Seminar, lokakarya, konferensi, simposium atau studi banding", 4,
     "Sertifikat", "", ""),
    ("penghargaan", "Pengakuan atau penghargaan", 12, "Piagam", "", ""),
)  # fmt: skip


def load(apps, schema_editor=None):
    """Create the kinds that are missing; never overwrite what a superuser changed."""
    ActivityKind = apps.get_model("development", "ActivityKind")
    for order, (code, name, points, evidence, duration, source) in enumerate(KINDS, start=1):
        ActivityKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "points": points,
                "evidence": evidence,
                "duration": duration,
                "suggested_from": source,
                "order": order,
            },
        )
