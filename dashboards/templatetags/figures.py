"""`thousands`: a whole number with the language's thousands separator (1.234 in Indonesian,
1,234 in English), as humanize's `intcomma` writes it, ~50 times faster: a province dashboard
prints some 1,400 numbers.

`{% measure_cells row %}`: the seven figure cells of a row of `_measures.html` (enrolled,
assessed, K, BK, rate, certificates, valid) in one tag instead of seven variables and their
filters each; `{% measure_cells totals total=1 %}` the same for the table's total, uncoloured.
"""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

register = template.Library()

# (the row's key, the cell's classes, a body cell's colour)
_CELLS = (
    ("enrolled", "text-end d-none d-xxl-table-cell", ""),
    ("assessed", "text-end", ""),
    ("competent", "text-end", " text-success"),
    ("not_competent", "text-end", " text-danger"),
    ("rate", "text-end text-nowrap", ""),
    ("certificates", "text-end d-none d-sm-table-cell", ""),
    ("valid", "text-end d-none d-xxl-table-cell", ""),
)


def _grouped(value, separator: str) -> str:
    if type(value) is not int:  # None, a float, a string: as intcomma does
        return intcomma(value)
    return f"{value:,}".replace(",", separator)


@register.filter(is_safe=True)
def thousands(value):
    return _grouped(value, get_format("THOUSAND_SEPARATOR"))


def _rate(value) -> str:
    return "—" if value is None else f"{floatformat(value, 1)} %"


@register.simple_tag
def measure_cells(row, total=False):
    """Numbers only (ints, and the rate a float), so nothing here needs escaping."""
    separator = get_format("THOUSAND_SEPARATOR")  # once a row, not once a cell
    cells = []
    for key, classes, colour in _CELLS:
        value = row[key]
        text = _rate(value) if key == "rate" else _grouped(value, separator)
        cells.append(f'<td class="{classes}{"" if total else colour}">{text}</td>')
    return mark_safe("".join(cells))
