"""Content-Security-Policy: the node's policy as a header, and what the few pages that need more add.

The policy itself is `settings.CONTENT_SECURITY_POLICY`; `web`'s middleware sends it on every response
that has none. A view whose page needs one more source (the report's own <style> element, allowed by
its hash) sets the header itself with `allow`, so that the exception is written beside its reason.
Kept outside the apps so that any app may use it without importing `web`.
"""

import base64
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpResponse

HEADER = "Content-Security-Policy"


def policy(**additions: Iterable[str]) -> str:
    """The node's policy as a header value, with `additions` (e.g. `style_src=[...]`) added to it.

    A directive that the node's policy lacks starts from its `default-src`, as a browser would read it.
    """
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    for key, sources in additions.items():
        name = key.replace("_", "-")
        directives.setdefault(name, list(directives.get("default-src", []))).extend(sources)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def allow(response: HttpResponse, **additions: Iterable[str]) -> HttpResponse:
    """Give `response` the node's policy with `additions`; the middleware leaves it as it is."""
    response[HEADER] = policy(**additions)
    return response


def hash_source(text: str) -> str:
    """The source expression that allows one inline element whose content is exactly `text`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
