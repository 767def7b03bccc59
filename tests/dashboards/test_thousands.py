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
