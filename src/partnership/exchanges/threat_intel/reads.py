"""First reads of STIX object versions by organisations, for the programme's indicators (para 54).

The TAXII read paths that hand out objects (objects, one object, versions) record, per page, which
organisation first read which version and when. One bulk insert that ignores rows already there, so
a read costs one cheap statement and the first read time is never overwritten by a later one.
The object page records its read through `queries.object_detail`, which calls this module: so this
module takes `queries`' types for its annotations only (no import of `queries` when it runs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from .models import ObjectRead

if TYPE_CHECKING:
    from .queries import Caller, Page


def record(caller: Caller, page: Page) -> None:
    """Record that the caller's organisation has read every object version on `page` (rows start with pk)."""
    record_versions(caller, (row[0] for row in page.rows))


def record_versions(caller: Caller, version_ids: Iterable[int]) -> None:
    """Record the first read of these object versions by the caller's organisation, now."""
    if caller.organisation_id is None:
        return
    now = timezone.now()
    rows = [
        ObjectRead(version_id=pk, organisation_id=caller.organisation_id, first_read_at=now)
        for pk in version_ids
    ]
    if rows:
        # ignore_conflicts: ON CONFLICT DO NOTHING on the (version, organisation) constraint, so
        # concurrent readers and re-reads keep the first time without a lookup first.
        ObjectRead.objects.bulk_create(rows, ignore_conflicts=True)
