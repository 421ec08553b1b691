"""Benchmark: memory of the certificate verifier reading a hostile image, against decoding it outright.

    .venv/bin/python bench/certificate_images.py

Issue 12: an 8,900 × 8,900 PNG of a few hundred KB cost about 500 MB per anonymous request. Each case
runs in a fresh process (so its peak resident memory is its own): the verifier's `qr.read_codes` on the
image, beside Pillow decoding the same image in full (what the verifier did before it read the size
from the header), and beside a process that only imports the verifier. Prints the peak memory above
that baseline and PASS/FAIL for "the hostile image costs under 20 MB and is refused".
"""

import io
import json
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

CASE = """
import json, resource, sys
from pathlib import Path
from partnership.trust.health_certificates import qr
from partnership.trust.health_certificates.errors import CertificateError
data = Path(sys.argv[2]).read_bytes() if len(sys.argv) > 2 else b""
outcome = "imported"
if sys.argv[1] == "verifier":
    try:
        qr.read_codes(data)
        outcome = "read"
    except CertificateError as error:
        outcome = "refused: " + error.code
elif sys.argv[1] == "decode":
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = None
    Image.open(__import__("io").BytesIO(data)).convert("L").load()
    outcome = "decoded"
print(json.dumps({"outcome": outcome, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def png(width: int, height: int) -> bytes:
    """A white RGB PNG written row by row (the bench never holds the pixels), a few hundred KB."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + b"\xff" * (3 * width)
    packer = zlib.compressobj(9)
    compressed = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    stream = io.BytesIO()
    stream.write(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed) + chunk(b"IEND", b"")
    )
    return stream.getvalue()


def run(mode: str, path: Path | None = None) -> dict:
    argv = [sys.executable, "-c", CASE, mode] + ([str(path)] if path else [])
    result = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603 (our own script)
    return json.loads(result.stdout)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        hostile = Path(folder) / "hostile.png"
        hostile.write_bytes(png(8_900, 8_900))
        print(f"hostile image: 8,900 × 8,900 pixels, {hostile.stat().st_size / 1024:,.0f} KB")
        base = run("import")["peak_kb"]
        verifier = run("verifier", hostile)
        decoded = run("decode", hostile)
    verifier_mb = (verifier["peak_kb"] - base) / 1024
    decoded_mb = (decoded["peak_kb"] - base) / 1024
    print(f"baseline (the verifier imported): {base / 1024:,.1f} MB")
    print(f"verifier, qr.read_codes:          +{verifier_mb:,.1f} MB ({verifier['outcome']})")
    print(f"Pillow decoding it in full:       +{decoded_mb:,.1f} MB (what reading it used to cost)")
    if verifier_mb > 0:
        print(f"ratio: decoding costs x{decoded_mb / max(verifier_mb, 0.1):,.0f} the verifier's refusal")
    passed = verifier_mb < 20 and verifier["outcome"].startswith("refused")
    print(f"{'PASS' if passed else 'FAIL'}  the hostile image is refused for under 20 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
