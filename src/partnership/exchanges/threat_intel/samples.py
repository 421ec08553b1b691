"""Sample STIX 2.1 content of the demo: a few small objects of each ISAC, under several TLP levels.

Written for the demo (not real intelligence): domains are under .example, the CVE is fictitious.
"""

from __future__ import annotations

from typing import Any

from .sharing import MARKING_OF_LEVEL, RECIPIENTS_PROPERTY

_TIME = "2026-01-15T09:00:00.000Z"


def _stix(stix_type: str, key: str, level: str, **properties: Any) -> dict[str, Any]:
    stix = {
        "type": stix_type,
        "spec_version": "2.1",
        "id": f"{stix_type}--{key}",
        "created": _TIME,
        "modified": _TIME,
        "object_marking_refs": [MARKING_OF_LEVEL[level]],
    }
    stix.update(properties)
    return stix


def _indicator(key: str, level: str, name: str, domain: str, **properties: Any) -> dict[str, Any]:
    return _stix(
        "indicator",
        key,
        level,
        name=name,
        pattern=f"[domain-name:value = '{domain}']",
        pattern_type="stix",
        valid_from="2026-01-15T09:00:00Z",
        indicator_types=["malicious-activity"],
        **properties,
    )


def _relationship(key: str, level: str, source: dict, kind: str, target: dict) -> dict[str, Any]:
    return _stix(
        "relationship",
        key,
        level,
        relationship_type=kind,
        source_ref=source["id"],
        target_ref=target["id"],
    )


def jp_isac_objects() -> list[dict[str, Any]]:
    """What the Japanese ISAC shares: CLEAR (in Japanese), GREEN, AMBER to the EU ISAC, RED to it."""
    phishing = _indicator(
        "6f1a3c1e-5b0e-4c7a-9a57-1c0a1d6e0001",
        "green",
        "Phishing domain imitating a logistics company",
        "parcel-tracking.example",
        description="Seen in SMS phishing against customers of delivery services in Japan.",
    )
    advisory = _indicator(
        "6f1a3c1e-5b0e-4c7a-9a57-1c0a1d6e0002",
        "clear",
        "偽の請求書を装ったマルウェア配布ドメイン",
        "invoice-download.example",
        description="国内の製造業を狙ったメールに記載されていたドメイン。",
        lang="ja",
    )
    malware = _stix(
        "malware",
        "6f1a3c1e-5b0e-4c7a-9a57-1c0a1d6e0003",
        "amber",
        name="FactoryLoader",
        is_family=True,
        malware_types=["dropper"],
        description="Dropper seen in intrusions at manufacturers' OT engineering workstations.",
        **{RECIPIENTS_PROPERTY: ["eu-isac"]},
    )
    victim = _stix(
        "identity",
        "6f1a3c1e-5b0e-4c7a-9a57-1c0a1d6e0004",
        "red",
        name="A manufacturer affected in January (name withheld)",
        identity_class="organization",
        sectors=["manufacturing"],
        **{RECIPIENTS_PROPERTY: ["eu-isac"]},
    )
    own_notes = _stix(
        "note",
        "6f1a3c1e-5b0e-4c7a-9a57-1c0a1d6e0005",
        "amber+strict",
        abstract="Internal triage notes",
        content="Kept within the Japanese ISAC until the affected company agrees to share.",
        object_refs=[malware["id"]],
    )
    indicates = _relationship("6f1a3c1e-5b0e-4c7a-9a57-1c0a1d6e0006", "green", phishing, "indicates", malware)
    return [phishing, advisory, malware, victim, own_notes, indicates]


def eu_isac_objects() -> list[dict[str, Any]]:
    """What the EU ISAC shares: CLEAR, GREEN, and AMBER that stays with the EU ISAC."""
    vulnerability = _stix(
        "vulnerability",
        "0b2e4d6f-8a1c-4e3b-b5d7-2f4a6c8e0001",
        "clear",
        name="CVE-2026-00001 (fictitious) in a PLC web interface",
        description="Unauthenticated configuration download; patched in the vendor's January release.",
    )
    campaign = _indicator(
        "0b2e4d6f-8a1c-4e3b-b5d7-2f4a6c8e0002",
        "green",
        "Credential-phishing domain aimed at energy utilities",
        "grid-sso-login.example",
    )
    pending = _indicator(
        "0b2e4d6f-8a1c-4e3b-b5d7-2f4a6c8e0003",
        "amber",
        "Command-and-control server under investigation",
        "update-check.example",
        description="Not yet shared: the investigating CSIRT asked to wait.",
    )
    exploits = _relationship(
        "0b2e4d6f-8a1c-4e3b-b5d7-2f4a6c8e0004", "green", campaign, "related-to", vulnerability
    )
    return [vulnerability, campaign, pending, exploits]
