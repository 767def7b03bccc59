import pytest
from django.core.management import call_command

from assessments import demo
from assessments.models import Candidate, Criterion, Element, Scheme, SchemeUnit, Unit
from lsp.models import AuditEntry, School

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_history(settings):
    """This module checks its own demo rows: the dashboards' history (dashboards/demo.py) is
    left out here and tested in tests/dashboards/test_demo.py."""
    settings.DEMO_HISTORY_YEARS = 0


def _counts():
    models = (Scheme, Unit, Element, Criterion, SchemeUnit, Candidate, AuditEntry)
    return [model.objects.count() for model in models]


def test_seed_demo_builds_schemes_of_every_kind_with_units_elements_and_kuk():
    call_command("seed_demo", verbosity=0)
    assert set(Scheme.objects.values_list("kind", flat=True)) == {"kkni", "okupasi", "klaster"}
    for name in ("Samarinda", "Balikpapan", "Bontang"):
        assert Scheme.objects.filter(lsp__name=f"LSP P1 SMK Negeri 1 {name}").exists()
    tkj = Scheme.objects.get(
        title="Kualifikasi KKNI Level II pada Kompetensi Keahlian Teknik Komputer dan Jaringan",
        lsp__name="LSP P1 SMK Negeri 1 Samarinda",
    )
    assert (tkj.kkni_level, tkj.concentration.abbreviation) == (2, "TKJ")
    assert tkj.ordered_units()[0].code == "J.611000.001.01"
    for scheme in Scheme.objects.all():
        units = list(scheme.ordered_units())
        assert len(units) >= 4
        for unit in units:
            assert unit.lsp_id == scheme.lsp_id
            unit.full_clean()
            elements = list(unit.elements.all())
            assert 2 <= len(elements) <= 4
            assert [e.number for e in elements] == list(range(1, len(elements) + 1))
            for element in elements:
                assert 2 <= element.criteria.count() <= 4


def test_seed_demo_adds_about_600_plausible_students_at_the_lsps_schools():
    call_command("seed_demo", verbosity=0)
    assert 550 <= Candidate.objects.count() <= 650
    demo_schools = School.objects.of_lsps(
        Scheme.objects.values_list("lsp_id", flat=True).distinct()
    )
    assert not Candidate.objects.exclude(school__in=demo_schools).exists()
    assert Candidate.objects.filter(nisn__startswith="0").exists()
    for candidate in Candidate.objects.select_related("school__regency", "concentration")[::37]:
        candidate.full_clean()
        assert candidate.nik.startswith(candidate.school.regency.code)
        assert 2007 <= candidate.birth_date.year <= 2009
        assert candidate.phone.startswith("08")
        assert candidate.school.concentrations.filter(pk=candidate.concentration_id).exists()
        level, abbreviation, _number = candidate.class_name.split()
        assert (level, abbreviation) == (candidate.level, candidate.concentration.abbreviation)
    assert set(Candidate.objects.values_list("sex", flat=True)) == {"L", "P"}


def test_a_second_run_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    first = _counts()
    summary = demo.build_demo(today=None)
    assert (summary.created, summary.changed) == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert _counts() == first


def test_reset_deletes_and_rebuilds_the_schemes_and_students():
    call_command("seed_demo", verbosity=0)
    Unit.objects.filter(code="J.611000.001.01").update(title="Diubah tangan")
    Candidate.objects.filter(nisn=demo.planned_students()[0].nisn).delete()
    call_command("seed_demo", "--reset", verbosity=0)
    assert Candidate.objects.count() == len(demo.planned_students())
    assert not Unit.objects.filter(title="Diubah tangan").exists()
    from certificates import demo as certificates_demo

    certificates_demo.delete_demo()  # its certificates hold the enrolments, as --reset knows
    assert demo.delete_demo() > len(demo.planned_students())
    assert not (Candidate.objects.exists() or Scheme.objects.exists() or Unit.objects.exists())
