"""The client's address, the same for login throttling (axes) and the public rate limits."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind PROXY_COUNT proxies the address the outermost of them saw (the
    PROXY_COUNT-th of X-Forwarded-For from the right; what a client writes further left is not
    trusted)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None  # axes stores None; never a non-address
