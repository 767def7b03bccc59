"""`thousands` writes what humanize's `intcomma` writes, in both languages."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation

from dashboards.templatetags.figures import thousands


@pytest.mark.parametrize("language", ["id", "en"])
def test_thousands_is_intcomma(language):
    with translation.override(language):
        for value in (0, 7, 999, 1000, 12345, -4567, 1234567, 5026160, None, 12.5, "", "abc"):
            assert thousands(value) == intcomma(value), value
    with translation.override("id"):
        assert thousands(1234567) == "1.234.567"


CELLS = (
    '<td class="text-end d-none d-xxl-table-cell">{{ r.enrolled|intcomma }}</td>'
    '<td class="text-end">{{ r.assessed|intcomma }}</td>'
    '<td class="text-end{{ k }}">{{ r.competent|intcomma }}</td>'
    '<td class="text-end{{ bk }}">{{ r.not_competent|intcomma }}</td>'
    '<td class="text-end text-nowrap">{% if r.rate is None %}—{% else %}'
    "{{ r.rate|floatformat:1 }} %{% endif %}</td>"
    '<td class="text-end d-none d-sm-table-cell">{{ r.certificates|intcomma }}</td>'
    '<td class="text-end d-none d-xxl-table-cell">{{ r.valid|intcomma }}</td>'
)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("rate", [None, 88.6, 100.0, 7.25])
def test_measure_cells_write_what_the_cells_template_wrote(language, rate):
    from django.template import Context, Template

    from dashboards.templatetags.figures import measure_cells

    row = {"enrolled": 12345, "assessed": 1000, "competent": 886, "not_competent": 114,
           "rate": rate, "certificates": 0, "valid": 1234567}  # fmt: skip
    template = Template("{% load humanize %}" + CELLS)
    with translation.override(language):
        body = template.render(Context({"r": row, "k": " text-success", "bk": " text-danger"}))
        foot = template.render(Context({"r": row, "k": "", "bk": ""}))
        assert measure_cells(row) == body
        assert measure_cells(row, total=True) == foot
