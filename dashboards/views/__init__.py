from .drilldown import regency_dashboard, school_dashboard
from .export import dashboard_export
from .province import province_dashboard, province_schools

__all__ = [
    "dashboard_export",
    "province_dashboard",
    "province_schools",
    "regency_dashboard",
    "school_dashboard",
]
