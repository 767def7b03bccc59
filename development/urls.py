from django.urls import path

from .views import school, teacher

urlpatterns = [
    path("pengembangan/", teacher.my_development, name="development_mine"),
    path(
        "pengembangan/kegiatan/baru/", teacher.activity_create, name="development_activity_create"
    ),
    path(
        "pengembangan/kegiatan/<int:pk>/ubah/",
        teacher.activity_update,
        name="development_activity_update",
    ),
    path(
        "pengembangan/kegiatan/<int:pk>/hapus/",
        teacher.activity_delete,
        name="development_activity_delete",
    ),
    path(
        "pengembangan/kegiatan/<int:pk>/bukti/",
        teacher.activity_evidence,
        name="development_activity_evidence",
    ),
    path(
        "pengembangan/kegiatan/<int:pk>/verifikasi/",
        teacher.activity_verify,
        name="development_activity_verify",
    ),
    path("pengembangan/guru/baru/", school.teacher_create, name="development_teacher_create"),
    path("pengembangan/guru/<int:pk>/", teacher.teacher_detail, name="development_teacher"),
    path(
        "pengembangan/guru/<int:pk>/akun/",
        school.teacher_account,
        name="development_teacher_account",
    ),
    path(
        "pengembangan/guru/<int:pk>/kegiatan/baru/",
        teacher.activity_create,
        name="development_teacher_activity_create",
    ),
    path(
        "pengembangan/guru/<int:pk>/rekap.pdf",
        teacher.teacher_recap_pdf,
        name="development_teacher_pdf",
    ),
    path("pengembangan/sekolah/", school.school_teachers, name="development_school"),
    path(
        "pengembangan/sekolah/excel/",
        school.school_teachers_export,
        name="development_school_export",
    ),
    path(
        "pengembangan/sekolah/tambah-asesor/",
        school.add_assessors,
        name="development_add_assessors",
    ),
    path("pengembangan/provinsi/", school.province_summary, name="development_province"),
]
