"""The exchange contract of the health-certificate verifier (joint action para 78)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class HealthCertificates:
    name = "health_certificates"
    annex_paragraphs = (78,)

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
                "title": _("Health certificate equivalence (para 78)"),
                "figures": figures,
                "events": [
                    _(
                        "One verifier reads the EU Digital COVID Certificate, SMART Health Cards and ICAO "
                        "VDS-NC against each party's trust store and acceptance rules."
                    )
                ],
            }
