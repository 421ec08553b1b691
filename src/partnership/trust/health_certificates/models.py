"""Each party's trust store: the keys its verifiers accept. Nothing about a verified person is stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnership.people.models import Party


class TrustAnchor(models.Model):
    class Kind(models.TextChoices):
        DCC_SIGNER = "dcc-signer", _("EU DCC document signer")
        SHC_ISSUER = "shc-issuer", _("SMART Health Cards issuer key")
        CSCA = "csca", _("ICAO country signing CA")
        SHC_CRL = "shc-crl", _("SMART Health Cards revocation list")
        DCC_REVOCATION = "dcc-revocation", _("EU DCC revocation list")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # DCC kid (base64), SHC issuer URL (its keys and revocation lists), CSCA country, DCC revocation
    # batch: country, hash type and kid
    key = models.CharField(_("key"), max_length=300)
    subject = models.CharField(_("subject"), max_length=500)
    data = models.BinaryField()  # DER certificate, or the JWK or revocation list or batch as JSON
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party", "kind", "key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["party", "kind", "key", "sha256"], name="trust_anchor_unique")
        ]
        verbose_name = _("trust anchor")
        verbose_name_plural = _("trust anchors")

    def __str__(self) -> str:
        return f"{self.party.code} {self.kind} {self.key}"
