"""What `make demo` creates for the verifier: sample issuers both parties trust, and QR images."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from partnership.programme.exchanges import DemoContext


def seed_certificates(context: DemoContext) -> Path | None:
    """Sample issuers of the three health-certificate formats, trusted by each party on this node, and a
    QR image of a certificate of each in DATA_DIR/demo-certificates/, unless trust anchors exist."""
    from . import samples
    from . import services as certificate_services
    from .models import TrustAnchor

    if TrustAnchor.objects.exists():
        return None
    folder = Path(settings.DATA_DIR) / "demo-certificates"
    issued = samples.issue()
    for name, data in issued.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    for kind, text in issued.texts.items():
        (folder / f"{kind}.txt").write_text(text, encoding="utf-8")
        (folder / f"{kind}.png").write_bytes(samples.qr_png(text))
    for party in ("JP", "EU"):
        if context.on_this_node(party):
            user = User.objects.get(username=f"{party.lower()}-secretariat")
            certificate_services.import_trust(user, party, folder / "trust", issuer=samples.SHC_ISSUER)
    return folder
