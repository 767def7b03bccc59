"""The public verification, without authentication: exactly what /verifikasi/<id>/ shows
(certificates/views/verify.py builds it), under the same per-address limit."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.models import Certificate
from certificates.views.verify import PUBLIC_FIELDS, over_limit, public_record

from ..serializers.certificates import VerificationSerializer
from .base import KompetenApiMixin


class VerifyView(KompetenApiMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        summary="Verify a certificate (public, no token)",
        description=(
            "The certificate's state (valid, expired, revoked, replaced) and what its public "
            "page shows; the holder's name partly masked, no personal data. Limited per client "
            "address (`VERIFY_RATE_LIMIT`)."
        ),
        responses={200: VerificationSerializer},
        auth=[],
    )
    def get(self, request, public_id):
        if retry_after := over_limit(request):
            raise exceptions.Throttled(wait=retry_after)
        certificate = (
            Certificate.objects.select_related("replaced_by")
            .only(*PUBLIC_FIELDS)
            .filter(public_id=public_id)
            .first()
        )
        if certificate is None:
            raise exceptions.NotFound(_("No certificate has this address."))
        state = certificate.state_on(self.today)
        response = Response(public_record(request, certificate, state))
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "no-store"
        return response
