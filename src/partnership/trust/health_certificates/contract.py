"""The exchange contract of the health-certificate verifier (joint action para 78)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.programme.exchanges import DemoContext, Exchange, Navigation


class HealthCertificates(Exchange):
    """The verifier of health certificates across EU DCC, SMART Health Cards and ICAO VDS-NC (para 78)."""

    name = "health_certificates"
    title = gettext_lazy("Health certificates")
    annex_paragraphs = (78,)
    api_router = "partnership.trust.health_certificates.api.router"
    api_prefix = "certificates/"
    page_urls = "partnership.trust.health_certificates.urls"
    navigation = Navigation("certificates", gettext_lazy("Certificates"), order=40)
    commands = ("certificates",)

    def seed_demo(self, context: DemoContext) -> str | None:
        from .demo import seed_certificates

        folder = seed_certificates(context)
        if folder is None:
            return "trust stores kept as they were"
        return f"demo issuers trusted; sample QR codes in {folder}"

    def generated_docs(self) -> dict[str, str]:
        from .equivalence import table

        return {
            "health-certificates-equivalence.en.md": table("en"),
            "health-certificates-equivalence.ja.md": table("ja"),
        }

    def _counts(self) -> dict[tuple[str, str], int]:
        from django.db.models import Count

        from .models import TrustAnchor

        rows = TrustAnchor.objects.values_list("party__code", "kind").annotate(n=Count("pk"))
        return {(party, kind): n for party, kind, n in rows}

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        counts = self._counts()
        parties = sorted({party for party, _kind in counts})
        return [
            {
                "name": {
                    "en": f"Trusted certificate signers ({party})",
                    "ja": f"信頼する証明書署名者（{party}）",
                },
                "value": sum(n for (p, _k), n in counts.items() if p == party),
                "unit": "keys",
                "source": "health_certificates",
            }
            for party in parties
        ]

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        from django.utils import translation

        counts = self._counts()
        with translation.override(language):
            figures = [
                {"label": f"{party} · {kind}", "value": n} for (party, kind), n in sorted(counts.items())
            ]
            return {
                "title": _("Health certificate equivalence"),
                "figures": figures,
                "events": [
                    _(
                        "One verifier reads the EU Digital COVID Certificate, SMART Health Cards and ICAO "
                        "VDS-NC against each party's trust store and acceptance rules."
                    )
                ],
            }
