"""What supply-chain monitoring shares with the other party through the ledger, and how a peer's records
apply here (para 46: exchange of information in anticipation of supply-chain disruptions).

Record types and the members of their `content`:

- `supply_chain.series` (a series' description, at its creation and at each change): `uid`, `code`,
  `title`, `language`, `unit`, `frequency`, `source`, `licence`, `product_code`, `revision`, and
  `detectors`: the detection library's configurations of the detectors that watch it (a list of objects,
  `[]` for the library's defaults; a record without the member, from a node before issue 16 item 2, means
  `[]`). They are part of the description, not a record of their own, because both nodes compute the
  series' signals themselves (signals are derived data, never shared) and must compute the same ones: a
  change of detectors is a new revision of the series, signed by the owner's node like any other.
- `supply_chain.release` (one vintage: every observation an import added or revised, in one record, not
  one per value): `uid` (the release's), `series` (the series' `uid`), `source_name`, `observations`, a
  list of `[date, value]` pairs in date order, the date `YYYY-MM-DD`, the value the shortest decimal text
  that reads back as the stored double (`"183.6088"`), or null where the source published none.

The record's `party` and `organisation` are the series' party and the publishing organisation; its `time`
is the release's (the vintage's time). Monitoring series are shared between both parties' members, so the
content is not sealed; it is read from the log by members (`people.permissions.can_read_monitoring_series`).
A release of 100,000 observations is a record of about 3 MB; an import holds at most
`parsing.MAX_OBSERVATIONS`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from partnership import detection
from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_party,
    held_by_peer,
    integer_of,
    party_organisation,
    record_time,
    uid_of,
)

from . import parsing
from .models import Frequency, Language, Release, Series

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

SERIES = "supply_chain.series"
RELEASE = "supply_chain.release"
SERIES_MEMBERS = (
    "uid",
    "code",
    "title",
    "language",
    "unit",
    "frequency",
    "source",
    "licence",
    "product_code",
    "revision",
    "detectors",
)
RELEASE_MEMBERS = ("uid", "series", "source_name", "observations")


def value_text(value: float | None) -> str | None:
    """A value as the ledger carries it: decimals as text (docs/ledger.md), the shortest that round-trips."""
    return None if value is None else repr(value)


def share_series(series: Series) -> LogEntry:
    """Sign the series' description and append it to this node's log (inside the write's transaction)."""
    content = {name: getattr(series, name) for name in SERIES_MEMBERS}
    content["uid"] = str(series.uid)
    return ledger_services.append(
        SignedRecord(
            SERIES, series.party.code, series.organisation.code, format_time(series.changed_at), content
        )
    )


def share_release(
    series: Series, release: Release, observations: list[tuple[datetime.date, float | None]]
) -> LogEntry:
    """Sign a release with all its observations, as one record."""
    content = {
        "uid": str(release.uid),
        "series": str(series.uid),
        "source_name": release.source_name,
        "observations": [[date.isoformat(), value_text(value)] for date, value in observations],
    }
    return ledger_services.append(
        SignedRecord(
            RELEASE, series.party.code, release.organisation.code, format_time(release.released_at), content
        )
    )


def _series_content(record: SignedRecord) -> dict[str, Any]:
    """The record's content, checked as the service checks a member's input."""
    from .services import CODE_MAX, DESCRIPTION

    content = record.content
    if isinstance(content, dict) and "detectors" not in content:
        content = {**content, "detectors": []}  # a node before detectors were shared: the defaults
    if not isinstance(content, dict) or set(content) != set(SERIES_MEMBERS):
        raise RecordRejected(f"{SERIES}: the content must be an object with {', '.join(SERIES_MEMBERS)}")
    try:
        if not isinstance(content["detectors"], list):
            raise TypeError("not a list of configurations")
        detection.build_detectors(content["detectors"])
    except (detection.DetectorConfigError, TypeError) as error:
        raise RecordRejected(f"detectors: {error}") from None
    uid_of(content)
    code = content["code"]
    if (
        not isinstance(code, str)
        or not code
        or len(code) > CODE_MAX
        or any(c.isspace() or c == "\x00" for c in code)
    ):
        raise RecordRejected(f"code {code!r} is not a series code")
    for name, limit in DESCRIPTION.items():
        value = content[name]
        if not isinstance(value, str) or len(value) > limit or "\x00" in value:
            raise RecordRejected(f"{name} {value!r} is not a text of at most {limit} characters")
    if not content["title"].strip():
        raise RecordRejected("title is empty")
    if content["language"] not in Language.values:
        raise RecordRejected(f"language {content['language']!r} is not en or ja")
    if content["frequency"] not in Frequency.values:
        raise RecordRejected(
            f"frequency {content['frequency']!r} is not one of {', '.join(Frequency.values)}"
        )
    integer_of(content, "revision", 1)
    return content


def apply_series(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's series description, kept here read-only; a revision not newer than the one held changes
    nothing."""
    content = _series_content(record)
    party = author_party(record)
    organisation = party_organisation(party, record.organisation)
    held = Series.objects.select_related("ledger_entry").filter(uid=content["uid"]).first()
    if held is not None:
        held_by_peer(held, entry, gettext_noop("series"))
        if held.revision >= content["revision"]:
            return  # already applied
    same_code = Series.objects.filter(party=party, code=content["code"]).exclude(uid=content["uid"])
    if same_code.exists():
        raise RecordRejected(f"{record.party} has another series with the code {content['code']!r}")
    when = record_time(record)
    series = held or Series(uid=content["uid"], created_at=when)
    series.party = party
    series.organisation = organisation
    for name in SERIES_MEMBERS[1:]:
        setattr(series, name, content[name])
    detectors_changed = held is not None and held.detectors != content["detectors"]
    series.changed_at, series.ledger_entry = when, entry
    series.save()
    if detectors_changed:
        from .services import detect_series

        detect_series(series)


def _observations(content: dict[str, Any]) -> list[tuple[datetime.date, float | None]]:
    pairs = content["observations"]
    if not isinstance(pairs, list) or not pairs or len(pairs) > parsing.MAX_OBSERVATIONS:
        raise RecordRejected(
            f"observations must be a list of 1 to {parsing.MAX_OBSERVATIONS} [date, value] pairs"
        )
    found: list[tuple[datetime.date, float | None]] = []
    seen: set[datetime.date] = set()
    for index, pair in enumerate(pairs):
        place = f"observations[{index}]"
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise RecordRejected(f"{place} is not a [date, value] pair")
        if pair[1] is not None and not isinstance(pair[1], str):
            raise RecordRejected(f"{place}: the value must be a decimal text or null")
        try:
            date = parsing.parse_date(pair[0], place)
            value = parsing.parse_value(pair[1] if pair[1] is not None else parsing.MISSING, place)
        except Exception as error:  # parsing's Invalid, with its reason
            raise RecordRejected(str(error)) from None
        if len(pair[0]) != 10 or date in seen:
            raise RecordRejected(f"{place}: {pair[0]!r} is not a new date of the form YYYY-MM-DD")
        seen.add(date)
        found.append((date, value))
    return found


def apply_release(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's release of a series this node holds from the same peer; applied once (its `uid`)."""
    from .services import changes, detect_series, store

    content = record.content
    if not isinstance(content, dict) or set(content) != set(RELEASE_MEMBERS):
        raise RecordRejected(f"{RELEASE}: the content must be an object with {', '.join(RELEASE_MEMBERS)}")
    uid = uid_of(content)
    series_uid = uid_of(content, "series")
    if (
        not isinstance(content["source_name"], str)
        or len(content["source_name"]) > 200
        or "\x00" in content["source_name"]
    ):
        raise RecordRejected(
            f"source_name {content['source_name']!r} is not a text of at most 200 characters"
        )
    observations = _observations(content)
    organisation = party_organisation(author_party(record), record.organisation)
    series = Series.objects.select_related("ledger_entry").filter(uid=series_uid).first()
    if series is None:
        raise RecordRejected(f"there is no series {series_uid} here; its description comes first in the log")
    # A series of the same log is the same party's (sync checks it).
    held_by_peer(series, entry, gettext_noop("series"))
    if Release.objects.filter(uid=uid).exists():
        return  # already applied
    fresh, replaced = changes(series, observations)
    release = Release.objects.create(
        uid=uid,
        series=series,
        organisation=organisation,
        released_at=record_time(record),
        source_name=content["source_name"],
        added=len(fresh) - len(replaced),
        revised=len(replaced),
        ledger_entry=entry,
    )
    store(series, release, fresh, replaced)
    detect_series(series, release)  # each node computes the signals of the replicated observations
