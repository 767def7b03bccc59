"""The public verification page, reached from the certificate's QR code, and the search by number.

`/verifikasi/<uuid>/` is printed on certificates that live for years: its address never changes.
It tells the certificate's state (valid, expired, revoked, replaced), the holder's name partly
masked, the scheme, number, dates and LSP; never the NIK, NISN, birth date or address. Machines get
the same as JSON (`Accept: application/json`). Both pages are rate-limited per client address
(`VERIFY_RATE_LIMIT`, default "30/m"), counted in the cache in fixed windows.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from lsp.http import client_ip

from ..forms import VerifySearchForm
from ..models import Certificate

DEFAULT_RATE = "30/m"
PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
# What the page may read: nothing personal beyond the name, which it masks.
PUBLIC_FIELDS = (
    "public_id",
    "number",
    "blank_number",
    "status",
    "issued_on",
    "valid_until",
    "revoked_at",
    "holder_name",
    "scheme_code",
    "scheme_title",
    "scheme_title_en",
    "kkni_level",
    "lsp_name",
    "lsp_name_en",
    "replaced_by__public_id",
    "replaced_by__number",
)


def mask_name(name: str) -> str:
    """'Siti Nur Hasanah' → 'Siti N** H******': the first word whole, then initials."""
    words = (name or "").split()
    if not words:
        return ""
    return " ".join([words[0], *(word[0] + "*" * (len(word) - 1) for word in words[1:])])


# --- rate limit -----------------------------------------------------------------------------------
def parse_rate(rate: str) -> tuple[int, int]:
    """'30/m' → (30, 60): requests allowed per window of seconds."""
    count, _sep, period = str(rate).strip().partition("/")
    try:
        return max(int(count), 0), PERIODS[period.strip().lower() or "m"]
    except (KeyError, ValueError):
        raise ValueError(f"VERIFY_RATE_LIMIT: expected e.g. '30/m', got {rate!r}") from None


def _bucket(address: str) -> str:
    """One counter per IPv4 address and per IPv6 /64 (one home or phone gets a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def over_limit(request) -> int:
    """0 when the request may go on; otherwise the seconds until the window ends."""
    limit, period = parse_rate(getattr(settings, "VERIFY_RATE_LIMIT", DEFAULT_RATE))
    now = time.time()
    window = int(now // period)
    address = client_ip(request) or "unknown"
    key = f"verify-rate:{_bucket(address)}:{period}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int(period - (now % period)) + 1)


def _wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _limited(request, retry_after: int, *, as_json: bool):
    message = _("Too many checks from your address. Please wait %(seconds)s seconds.") % {
        "seconds": retry_after
    }
    if as_json:
        response = JsonResponse(
            {"error": "rate_limited", "message": message, "retry_after": retry_after},
            status=429,
        )
    else:
        response = render(
            request,
            "certificates/verify_limited.html",
            {"message": message, "retry_after": retry_after},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def _public(response):
    response["X-Robots-Tag"] = "noindex, nofollow"  # names stay out of search engines
    patch_vary_headers(response, ["Accept"])
    return response


# --- the pages ------------------------------------------------------------------------------------
def public_record(request, certificate: Certificate, state: str) -> dict:
    """What a machine gets: the page's facts, nothing personal beyond the masked name."""
    replaced_by = certificate.replaced_by
    return {
        "status": state,
        "name": mask_name(certificate.holder_name),
        "number": certificate.number,
        "blank_number": certificate.blank_number,
        "scheme": {
            "code": certificate.scheme_code,
            "title": certificate.scheme_title,
            "title_en": certificate.scheme_title_en,
            "kkni_level": certificate.kkni_level,
        },
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if state == "revoked" and certificate.revoked_at
            else None
        ),
        "replaced_by": (
            request.build_absolute_uri(replaced_by.get_verification_url()) if replaced_by else None
        ),
        "lsp": {"name": certificate.lsp_name, "name_en": certificate.lsp_name_en},
        "url": request.build_absolute_uri(certificate.get_verification_url()),
        "checked_on": timezone.localdate().isoformat(),
    }


@never_cache
def certificate_verify(request, public_id):
    as_json = _wants_json(request)
    if retry_after := over_limit(request):
        return _public(_limited(request, retry_after, as_json=as_json))
    certificate = (
        Certificate.objects.select_related("replaced_by")
        .only(*PUBLIC_FIELDS)
        .filter(public_id=public_id)
        .first()
    )
    if certificate is None:
        if as_json:
            response = JsonResponse(
                {"status": "not_found", "message": _("No certificate has this address.")},
                status=404,
            )
        else:
            response = render(request, "certificates/verify_not_found.html", status=404)
        return _public(response)
    today = timezone.localdate()
    state = certificate.state_on(today)
    revoked_at = certificate.revoked_at
    if as_json:
        return _public(JsonResponse(public_record(request, certificate, state)))
    context = {
        "certificate": certificate,
        "state": state,
        "masked_name": mask_name(certificate.holder_name),
        "today": today,
        "revoked_on": revoked_at and timezone.localdate(revoked_at),
    }
    return _public(render(request, "certificates/verify.html", context))


@never_cache
def certificate_search(request):
    """Number and the holder's birth date (POSTed: the date stays out of logs and history)."""
    form = VerifySearchForm(request.POST or None)
    matches = []
    if request.method == "POST":
        if retry_after := over_limit(request):
            return _public(_limited(request, retry_after, as_json=False))
        if form.is_valid():
            matches = list(
                Certificate.objects.filter(
                    number=form.cleaned_data["number"],
                    birth_date=form.cleaned_data["birth_date"],
                ).only("public_id", "number", "holder_name", "lsp_name")[:10]
            )
            if len(matches) == 1:
                return redirect(matches[0].get_verification_url())
            if not matches:
                # The same words whichever of the two is wrong: the page tells nothing more.
                form.add_error(
                    None,
                    _(
                        "No certificate matches this number and date of birth. Check both as "
                        "printed on the certificate."
                    ),
                )
    for match in matches:  # the same number at two LSPs, with the same birth date: rare
        match.masked_name = mask_name(match.holder_name)
    return _public(
        render(request, "certificates/verify_search.html", {"form": form, "matches": matches})
    )
