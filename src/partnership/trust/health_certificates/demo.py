"""What `make demo` creates for the verifier: sample issuers both parties trust, and QR images."""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from partnership.programme.exchanges import DemoContext


def _write_private(path: Path, data: bytes) -> None:
    """Write `path` for its owner only, as everything in the data directory (settings.py)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


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
    files = dict(issued.files)
    for kind, text in issued.texts.items():
        files[f"{kind}.txt"] = text.encode("utf-8")
        files[f"{kind}.png"] = samples.qr_png(text)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, data in files.items():
        _write_private(folder / name, data)
    for party in ("JP", "EU"):
        if context.on_this_node(party):
            user = User.objects.get(username=f"{party.lower()}-secretariat")
            certificate_services.import_trust(user, party, folder / "trust", issuer=samples.SHC_ISSUER)
    return folder
