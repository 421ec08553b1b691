"""Read paths of the cycle: plain data for its pages, each in a fixed number of queries.

Who reads what: the cycle's phases, the priorities and the accepted contributions are public; who has
not reported, overdue deliverables, meetings, their minutes and outcomes are for the partnership's
members (as progress is); the moderation queue is the secretariats'.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from partnership.errors import NotFound, PermissionDenied
from partnership.people import permissions
from partnership.people.models import Membership, Organisation, Party
from partnership.people.permissions import Actor, actor_for, require_actor
from partnership.programme import searchable
from partnership.programme import translations as programme_translations
from partnership.programme.models import JointAction
from partnership.programme.queries import overdue_deliverables
from partnership.programme.reporting_calendar import CallForUpdates, Cycles

from . import services
from .models import (
    CalendarProposal,
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    Outcome,
    PhaseChange,
    Priority,
    PublishedReport,
)


@dataclass(frozen=True)
class PhaseStep:
    """One phase of a cycle as the timeline shows it: reached or not, and the change that entered it."""

    value: str
    label: str
    reached: bool
    current: bool
    change: PhaseChange | None


def _with_phase_changes(found):
    """Cycles with their phase changes and who made each (one query more, whatever their number)."""
    return found.prefetch_related(
        Prefetch("phase_changes", queryset=PhaseChange.objects.select_related("organisation"))
    )


def cycles() -> list[Cycle]:
    """Every cycle, newest first, with how many meetings and consultation windows it has and its phase
    changes (two queries; public): the cycles page and `GET /cycles`."""
    return list(
        _with_phase_changes(
            Cycle.objects.annotate(
                meeting_count=Count("meetings", distinct=True), window_count=Count("windows", distinct=True)
            ).order_by("-year")
        )
    )


def cycle(year: int) -> Cycle:
    """The cycle of `year` with its phase changes (public); NotFound when there is none."""
    found = _with_phase_changes(Cycle.objects.filter(year=year)).first()
    if found is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    return found


def missing_updates(user, cycle: Cycle) -> dict[str, list[int]] | None:
    """Who has not reported this cycle, as party code -> paragraphs, for readers of progress
    (`people.permissions.can_read_progress`); None for the public (two queries)."""
    if not permissions.can_read_progress(user):
        return None
    missing: dict[str, list[int]] = {}
    for action, party in services.missing_updates(cycle):
        missing.setdefault(party.code, []).append(action.paragraph)
    return missing


def meetings(reader, year: int) -> list[Meeting]:
    """A cycle's meetings, newest first, each with its host, mechanism, log entry and outcomes (their
    owners, agreement and log entries): `GET /cycles/{year}/meetings`; for members, as the meeting page
    (`people.permissions.require_read_outcomes`); NotFound for an unknown cycle."""
    permissions.require_read_outcomes(reader)
    return list(
        Meeting.objects.filter(cycle=cycle(year))
        .select_related("cycle", "mechanism", "party", "ledger_entry")
        .prefetch_related(
            Prefetch(
                "outcomes", queryset=Outcome.objects.select_related("owner", "ledger_entry", "agreed_by")
            )
        )
    )


def next_phase(cycle: Cycle) -> tuple[str, str] | None:
    """The phase the cycle may move into next (value, label), or None when it is complete."""
    index = services.PHASES.index(cycle.phase)
    if index + 1 >= len(services.PHASES):
        return None
    value = services.PHASES[index + 1]
    return value, str(Cycle.Phase(value).label)


def timeline(cycle: Cycle) -> list[PhaseStep]:
    """Every phase in order, with who moved the cycle into it and when (one query)."""
    changes = {
        change.phase: change
        for change in PhaseChange.objects.filter(cycle=cycle).select_related("changed_by", "organisation")
    }
    current = services.PHASES.index(cycle.phase)
    return [
        PhaseStep(
            value=value,
            label=str(Cycle.Phase(value).label),
            reached=index <= current,
            current=index == current,
            change=changes.get(value),
        )
        for index, value in enumerate(services.PHASES)
    ]


def missing_by_party(cycle: Cycle, parties: list | None = None) -> list[tuple[Any, list[JointAction]]]:
    """Who has not reported this cycle: each party with the actions it has no update on (three queries,
    two when the parties are given)."""
    grouped: dict[Any, list[JointAction]] = defaultdict(list)
    for action, party in services.missing_updates(cycle, parties):
        grouped[party].append(action)
    return sorted(grouped.items(), key=lambda item: item[0].code)


def windows(cycle: Cycle) -> list[ConsultationWindow]:
    """A cycle's consultation windows, each with `is_open`, `is_future` and its accepted count (one query)."""
    now = timezone.now()
    found: list[ConsultationWindow] = list(
        ConsultationWindow.objects.filter(cycle=cycle)
        .select_related("party")
        .annotate(accepted_count=Count("contributions", filter=Q(contributions__status="accepted")))
    )
    for window in found:
        window.is_open = window.opens <= now < window.closes  # type: ignore[attr-defined]
        window.is_future = now < window.opens  # type: ignore[attr-defined]
    return found


@dataclass(frozen=True)
class Agreement:
    """Where a joint decision stands: proposed by one party, agreed or awaiting the other."""

    proposed_by: str
    awaiting: str  # the party whose agreement is awaited ("" once agreed)
    agreed_by: str
    can_agree: bool  # may the reader agree to it now


def agreement(
    actor: Actor | None, proposer: Party | None, agreed_by: Party | None, parties
) -> Agreement | None:
    """The agreement state of a proposal of `proposer` (None for a proposal of no known party)."""
    if proposer is None:
        return None
    others = [party.code for party in parties if party.pk != proposer.pk]
    return Agreement(
        proposed_by=proposer.code,
        awaiting="" if agreed_by is not None else " / ".join(others),
        agreed_by=agreed_by.code if agreed_by is not None else "",
        can_agree=agreed_by is None and permissions.can_agree(actor, proposer.pk),
    )


def _parties() -> list[Party]:
    return list(Party.objects.order_by("code"))


def cycle_page(user, year: int) -> dict[str, Any] | None:
    """Everything the cycle page shows, or None when there is no cycle of `year`."""
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        return None
    actor = actor_for(user)
    parties = _parties()
    pending = services.pending_calendar(cycle)
    priorities = list(
        Priority.objects.filter(cycle=cycle)
        .select_related("area", "action", "set_at__party", "agreed_by", "ledger_entry")
        .order_by("pk")
    )
    for priority in priorities:
        priority.agreement = agreement(actor, priority.set_at.party, priority.agreed_by, parties)  # type: ignore[attr-defined]
        priority.can_record = (  # type: ignore[attr-defined]
            priority.signed_by is None and permissions.can_record_at_meeting(actor, priority.set_at.party_id)
        )
    data: dict[str, Any] = {
        "cycle": cycle,
        "actor": actor,
        "timeline": timeline(cycle),
        "next_phase": next_phase(cycle) if cycle.calendar_agreed else None,
        "can_steer": permissions.can_steer_cycle(actor) and permissions.writes_on_this_node(actor),
        "can_contribute": permissions.can_contribute(actor),
        # The calendar: a proposal awaiting the other party, and whether the reader may agree to it.
        "pending_calendar": pending,
        "calendar_agreement": agreement(actor, pending.party, None, parties) if pending else None,
        "priorities": priorities,
        "priority_results": Priority.Outcome.choices,
        "windows": windows(cycle),
        # The cycle's report: published (frozen, public), or the live draft for members.
        "published": PublishedReport.objects.filter(cycle=cycle).values("published_at", "sha256").first(),
        "can_read_draft": permissions.can_read_progress(user),
        "can_preview_report": permissions.can_preview_report(permissions.actor_for(user)),
        "late_update_choices": Cycle.LateUpdates.choices,
    }
    if actor is None:
        return data
    overdue = list(overdue_deliverables().select_related(None).select_related("action", "party")[:51])
    # What is still to follow up: decisions and guidance of this cycle and earlier ones not closed.
    guidance = list(services.open_guidance(before_year=cycle.year + 1).order_by("meeting__date", "pk"))
    programme_translations.attach({"deliverable": overdue[:50], "outcome": guidance}, actor)
    data.update(
        missing=missing_by_party(cycle, parties),
        overdue=overdue[:50],
        overdue_cut=len(overdue) > 50,
        open_guidance=guidance,
        meetings=list(Meeting.objects.filter(cycle=cycle).select_related("mechanism").order_by("date", "pk")),
    )
    return data


def _organisations():
    return Organisation.objects.select_related("party")


def meeting_page(user, uid) -> dict[str, Any]:
    """A meeting with its agenda, minutes, outcomes and the priorities set there; for members only."""
    actor = permissions.require_read_outcomes(user)
    meeting = (
        Meeting.objects.filter(uid=uid)
        .select_related("cycle", "mechanism", "created_by", "party", "ledger_entry")
        .prefetch_related(
            Prefetch("participants", queryset=_organisations()),
            Prefetch(
                "agenda__actions",
                queryset=JointAction.objects.only("id", "paragraph", "title_en", "title_ja"),
            ),
        )
        .first()
    )
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    outcomes = list(
        Outcome.objects.filter(meeting=meeting)
        .select_related("owner", "closed_in", "ledger_entry", "agreed_by")
        .prefetch_related("areas", Prefetch("actions", queryset=JointAction.objects.only("id", "paragraph")))
    )
    parties = _parties()
    for outcome in outcomes:
        outcome.meeting = meeting  # loaded above: the translation rule reads its host
    programme_translations.attach({"outcome": outcomes}, actor)
    for outcome in outcomes:
        outcome.can_follow_up = can_follow_up(actor, outcome)  # type: ignore[attr-defined]
        outcome.agreement = (  # type: ignore[attr-defined]
            None
            if outcome.kind == Outcome.Kind.NOTE
            else agreement(actor, meeting.party, outcome.agreed_by, parties)
        )
    priorities = list(
        Priority.objects.filter(set_at=meeting)
        .select_related("cycle", "area", "action", "agreed_by", "ledger_entry")
        .order_by("pk")
    )
    for priority in priorities:
        priority.agreement = agreement(actor, meeting.party, priority.agreed_by, parties)  # type: ignore[attr-defined]
    return {
        "meeting": meeting,
        "actor": actor,
        "outcomes": outcomes,
        "priorities": priorities,
        # Only the host secretariat records outcomes and priorities, on its own node; a meeting a peer
        # node signed is read-only here.
        "can_record": meeting.signed_by is None
        and permissions.can_record_at_meeting(actor, meeting.party_id),
        "is_council": meeting.kind == Meeting.Kind.COUNCIL,
    }


def consultation_page(user, year: int) -> dict[str, Any] | None:
    """The consultation of a cycle: its windows, the accepted contributions (public), the contributor's own,
    and for secretariats the moderation queue; None when there is no cycle of `year`."""
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        return None
    actor = actor_for(user)
    base = (
        Contribution.objects.filter(window__cycle=cycle)
        .select_related("organisation", "window", "ledger_entry")
        .prefetch_related("areas", Prefetch("actions", queryset=JointAction.objects.only("id", "paragraph")))
        .order_by("created_at", "pk")
    )
    # A secretariat sees every contribution of the cycle: read once (with their areas and actions) and
    # sorted by status here, which leaves room in the page's budget for their translations (issue 15).
    everything = list(base) if actor is not None and actor.is_secretariat else None
    data: dict[str, Any] = {
        "cycle": cycle,
        "actor": actor,
        "windows": windows(cycle),
        "accepted": (
            list(base.filter(status=Contribution.Status.ACCEPTED))
            if everything is None
            else [c for c in everything if c.status == Contribution.Status.ACCEPTED]
        ),
        "can_steer": permissions.can_steer_cycle(actor),
        "can_contribute": permissions.can_contribute(actor),
        "queue": [],
        "own": [],
    }
    if actor is None:
        programme_translations.attach({"contribution": data["accepted"]}, actor)
        return data
    if everything is not None:
        data["queue"] = [c for c in everything if c.status == Contribution.Status.PENDING]
        for contribution in data["queue"]:
            # The other party's contributions are shown, but moderated by their own secretariat.
            contribution.can_moderate = permissions.can_moderate(actor, contribution.organisation.party_id)
        data["rejected"] = [c for c in everything if c.status == Contribution.Status.REJECTED]
    elif data["can_contribute"]:
        data["own"] = list(base.filter(organisation=actor.organisation))
    shown = [*data["accepted"], *data["queue"], *data.get("rejected", []), *data["own"]]
    programme_translations.attach({"contribution": shown}, actor)
    return data


def attachment(user, uid) -> Contribution:
    """The contribution whose attachment `user` asks for; NotFound when there is none or they may not read it.

    Not found rather than forbidden: a pending contribution's existence is not the public's to learn.
    """
    contribution = Contribution.objects.filter(uid=uid).first()
    if (
        contribution is None
        or not contribution.attachment
        or not permissions.can_read_contribution(
            actor_for(user), contribution.status == Contribution.Status.ACCEPTED, contribution.organisation_id
        )
    ):
        raise NotFound(_("There is no such attachment."))
    return contribution


def can_follow_up(actor: Actor | None, outcome: Outcome) -> bool:
    """Whether to show the follow-up form: the rule is `people.permissions.can_follow_up`, and an
    outcome signed by a peer node is followed up on that node."""
    return (
        outcome.kind != Outcome.Kind.NOTE
        and outcome.signed_by is None
        and permissions.can_follow_up(
            actor, outcome.owner_id, outcome.owner.party_id if outcome.owner is not None else None
        )
    )


def outcome_to_follow_up(user, uid) -> Outcome:
    """A decision or guidance item `user` may report on, with its meeting and owner.

    NotFound for a note or an unknown uid; PermissionDenied, in the service's words, for anyone else.
    """
    found = Outcome.objects.select_related("meeting__cycle", "owner", "ledger_entry").filter(uid=uid).first()
    if found is None or found.kind == Outcome.Kind.NOTE:
        raise NotFound(_("There is no such decision or guidance item."))
    actor = require_actor(user)
    permissions.require_local_record(found.signed_by)
    if not can_follow_up(actor, found):
        raise PermissionDenied(_("Only the owner or a secretariat can report on this item."))
    return found


def cycle_of_contribution(uid) -> int:
    """The year of the cycle a contribution was sent to; NotFound when there is no such contribution."""
    year = Contribution.objects.filter(uid=uid).values_list("window__cycle__year", flat=True).first()
    if year is None:
        raise NotFound(_("There is no such contribution."))
    return year


def contributions(user, year: int) -> list[Contribution]:
    """A cycle's contributions as `user` may list them: accepted ones for everyone, every one for the
    secretariats (`people.permissions.can_steer_cycle`); NotFound for an unknown cycle."""
    cycle = services.get_cycle(year)
    found = Contribution.objects.filter(window__cycle=cycle).select_related("organisation")
    if not permissions.can_steer_cycle(actor_for(user)):
        found = found.filter(status=Contribution.Status.ACCEPTED)
    return list(found)


# --- the calendar the programme consults (programme.reporting_calendar) ----------------------------


def calendar() -> Cycles:
    """The cycles' calendar for the programme (`programme.reporting_calendar`), in one query: the cycle
    in progress (`services.current_cycle`'s rule) and each cycle's call for updates, which closes at the
    end of its last day in UTC, the time every node stores; an update after that is late, or refused when the
    secretariats chose so for that cycle."""
    rows = list(
        Cycle.objects.order_by(*services.CURRENT_FIRST).values_list("year", "call_closes", "late_updates")
    )
    calls = {
        year: CallForUpdates(
            period=year,
            closes_at=datetime.datetime.combine(closes, datetime.time.max, tzinfo=datetime.UTC),
            refuse_late=policy == Cycle.LateUpdates.REFUSE,
        )
        for year, closes, policy in rows
    }
    return Cycles(reporting_period=rows[0][0] if rows else None, calls=calls)


@dataclass
class QueueItem:
    """A text of the Council report still to translate: no translation into the other language, or a
    stale one (made from an earlier text)."""

    source: Any  # programme.translations.Source
    target_language: str
    stale: bool
    may_translate: bool
    kind_label: str = ""


def translation_queue(user, year: int, everyone: bool = False) -> dict[str, Any]:
    """ "Needs translation for the report" (issue 15): the updates, deliverables, outcomes and accepted
    contributions that the report of cycle `year` shows, with no current translation into the other
    language; the reader's own party's unless `everyone`. For the secretariats
    (`people.permissions.require_translation_queue`). The report's own build finds the texts, so the
    queue lists exactly what the report would show untranslated; a fixed number of queries."""
    from .report.build import build_report_with_texts

    actor = permissions.require_translation_queue(user)
    cycle(year)
    _data, texts = build_report_with_texts(year)
    wanted: dict[tuple[str, Any], dict[str, Any]] = {}
    for item in texts:
        target = "ja" if item["language"] == "en" else "en"
        if target in item["translated"]:
            continue
        wanted.setdefault((item["kind"], item["uid"]), item)
    counts: dict[str, int] = {}
    for item in wanted.values():
        counts[item["party"]] = counts.get(item["party"], 0) + 1
    shown = [key for key, item in wanted.items() if everyone or item["party"] == actor.party.code]
    held = programme_translations.languages_held(shown)
    by_kind: dict[str, list[Any]] = {}
    for kind, uid in shown:
        by_kind.setdefault(kind, []).append(uid)
    sources: dict[tuple[str, Any], programme_translations.Source] = {}
    for kind, uids in by_kind.items():
        spec = programme_translations.kind_of(kind)
        if spec is not None:
            sources.update({(kind, uid): source for uid, source in spec.load(uids).items()})
    kind_labels = {name: spec.label for name, spec in programme_translations.kinds().items()}
    items = []
    for key in shown:
        source = sources.get(key)
        if source is None:
            continue
        items.append(
            QueueItem(
                source=source,
                target_language=source.target_language,
                stale=source.target_language in held.get(key, set()),
                may_translate=permissions.can_translate(
                    actor, source.party_id, source.author_user_id, source.author_organisation_id
                ),
                kind_label=str(kind_labels.get(source.kind, source.kind)),
            )
        )
    order = {"update": 0, "deliverable": 1, "outcome": 2, "contribution": 3}
    items.sort(key=lambda item: (order.get(item.source.kind, 9), item.source.party_code, item.source.label))
    return {
        "year": year,
        "actor": actor,
        "items": items,
        "count": len(items),
        "counts": dict(sorted(counts.items())),
        "everyone": everyone,
    }


# --- what the search finds of the cycle (registered with programme.searchable in apps.ready) -----------


def _about(through, filters: searchable.Filters, owner: str) -> Q:
    """Rows whose areas or joint actions (many-to-many `through` tables, `owner` the row's column)
    match the filters' area and action."""
    condition = Q()
    if filters.area:
        areas = through["areas"].objects.filter(area__code=filters.area).values(owner)
        actions = through["actions"].objects.filter(jointaction__area__code=filters.area).values(owner)
        condition &= Q(pk__in=areas) | Q(pk__in=actions)
    if filters.action:
        condition &= Q(
            pk__in=through["actions"].objects.filter(jointaction__paragraph=filters.action).values(owner)
        )
    return condition


def find_outcomes(user, filters: searchable.Filters):
    """Meeting outcomes (members only, as the meeting page: `people.permissions.can_read_outcomes`), the
    newest meeting first, by the owner's party (the host's for a note), area, cycle, follow-up status,
    joint action and words of the text or the follow-up note."""
    if not permissions.can_read_outcomes(user):
        return None
    found = Outcome.objects.select_related(
        "meeting__cycle", "meeting__party", "owner__party", "ledger_entry"
    ).order_by("-meeting__date", "pk")
    if filters.party:
        found = found.filter(
            Q(owner__party__code=filters.party) | Q(owner__isnull=True, meeting__party__code=filters.party)
        )
    found = found.filter(
        _about({"areas": Outcome.areas.through, "actions": Outcome.actions.through}, filters, "outcome_id")
    )
    if filters.cycle:
        found = found.filter(meeting__cycle__year=filters.cycle)
    if filters.status:
        found = found.filter(follow_up=filters.status).exclude(kind=Outcome.Kind.NOTE)
    if filters.terms:
        found = found.filter(searchable.text_matches(filters.terms, "text", "follow_up_note"))
    return found


def outcome_row(outcome: Outcome) -> searchable.Found:
    """An outcome as a search result: its kind and, for decisions and guidance, its follow-up."""
    owner = outcome.owner
    party = owner.party if owner is not None and owner.party is not None else outcome.meeting.party
    note = outcome.kind == Outcome.Kind.NOTE
    status_label = str(Outcome.Kind(outcome.kind).label)
    if not note:
        status_label += " · " + str(Outcome.FollowUp(outcome.follow_up).label)
    return searchable.Found(
        kind="outcome",
        kind_label=_("Cycle outcome"),
        reference=outcome.meeting.title,
        party=party.code if party is not None else "",
        cycle=outcome.meeting.cycle.year if outcome.meeting.cycle is not None else None,
        status="" if note else outcome.follow_up,
        status_label=status_label,
        text=outcome.text,
        language=outcome.language,
        date=outcome.meeting.date,
        url=reverse("meeting", args=[outcome.meeting.uid]),
        signed_by=outcome.signed_by,
    )


def find_contributions(user, filters: searchable.Filters):
    """Contributions as the consultation page shows them (`people.permissions.can_read_contribution`):
    accepted ones to everyone, every one to the secretariats, a contributor's own to its organisation;
    newest first, by the contributor's party, area, cycle, status, joint action and words of the text."""
    actor = actor_for(user)
    found = Contribution.objects.select_related(
        "organisation__party", "window__cycle", "ledger_entry"
    ).order_by("-created_at", "-pk")
    # can_read_contribution, as a filter: the public and members read accepted ones, an organisation its
    # own, a secretariat every one.
    if actor is None:
        found = found.filter(status=Contribution.Status.ACCEPTED)
    elif not actor.is_secretariat:
        found = found.filter(Q(status=Contribution.Status.ACCEPTED) | Q(organisation=actor.organisation))
    if filters.party:
        found = found.filter(organisation__party__code=filters.party)
    found = found.filter(
        _about(
            {"areas": Contribution.areas.through, "actions": Contribution.actions.through},
            filters,
            "contribution_id",
        )
    )
    if filters.cycle:
        found = found.filter(window__cycle__year=filters.cycle)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.terms:
        found = found.filter(searchable.text_matches(filters.terms, "text"))
    return found


def contribution_row(contribution: Contribution) -> searchable.Found:
    """A contribution as a search result."""
    party = contribution.organisation.party
    return searchable.Found(
        kind="contribution",
        kind_label=_("Contribution"),
        reference=contribution.window.title,
        party=party.code if party is not None else "",
        cycle=contribution.window.cycle.year,
        status=contribution.status,
        status_label=str(Contribution.Status(contribution.status).label),
        text=contribution.text,
        language=contribution.language,
        date=contribution.created_at,
        url=reverse("consultation", args=[contribution.window.cycle.year]),
        signed_by=contribution.signed_by,
    )


def register_search_kinds() -> None:
    """The cycle's kinds of search result (apps.ready): outcomes and contributions."""
    searchable.register(
        searchable.Kind(
            "outcome",
            lambda: _("Cycle outcomes"),
            Outcome.FollowUp.choices,
            find_outcomes,
            outcome_row,
            order=40,
            offered_to=permissions.can_read_outcomes,
        )
    )
    searchable.register(
        searchable.Kind(
            "contribution",
            lambda: _("Contributions"),
            Contribution.Status.choices,
            find_contributions,
            contribution_row,
            order=50,
        )
    )


# --- each reader's own desk (issue 15, item 2) -------------------------------------------------------


@dataclass(frozen=True)
class ReminderRow:
    """A reminder `partnership remind` would send now: the action, the party that owes its update, who is
    reminded (user names for the party's secretariat, organisations for an action lead: the secretariat
    alone sees its people's accounts) and the day the call for updates closes."""

    action: JointAction
    party: str
    recipients: list[str]
    deadline: datetime.date


def reminders(user, cycle: Cycle) -> list[ReminderRow]:
    """The pending reminders of `cycle` the reader may see, from the list the command mails
    (`services.due_reminders`): a secretariat its own party's, an action lead those of the actions its
    organisation leads; PermissionDenied for anyone else. Four queries."""
    actor = require_actor(user)
    if not actor.is_secretariat and actor.role != Membership.Role.ACTION_LEAD:
        raise PermissionDenied(_("Reminders are shown to the secretariats and to the action leads."))
    rows = []
    for due in services.due_reminders(cycle, [actor.party]):
        if actor.is_secretariat:
            shown = [membership.user.username for membership in due.recipients]
        elif actor.organisation.pk in due.leads:
            shown = sorted({membership.organisation.name for membership in due.recipients})
        else:
            continue
        rows.append(ReminderRow(due.action, due.party.code, shown, due.deadline))
    return rows


@dataclass(frozen=True)
class AwaitingAgreement:
    """A joint decision the other party proposed and the reader's secretariat has to agree to (paras 21,
    23): what it is, who proposed it, and the page where it is agreed (`url_name` with `url_argument`)."""

    what: str
    proposed_by: str
    url_name: str
    url_argument: Any


def awaiting_agreement(actor: Actor) -> list[AwaitingAgreement]:
    """What awaits the agreement of `actor`'s secretariat (empty for anyone else): calendars, Council
    decisions and guidance, priorities, and published reports to countersign. Four queries."""
    if not actor.is_secretariat or not permissions.writes_on_this_node(actor):
        return []
    found: list[AwaitingAgreement] = []
    # The latest proposal of each cycle is the one awaiting agreement; an older one was replaced.
    latest: dict[int, Any] = {}
    proposals = (
        CalendarProposal.objects.filter(cycle__calendar_pending=True)
        .select_related("cycle", "party")
        .order_by("cycle__year", "-proposed_at", "-uid")
    )
    for proposal in proposals:
        latest.setdefault(proposal.cycle_id, proposal)
    for proposal in latest.values():
        if not proposal.agreed and permissions.can_agree(actor, proposal.party_id):
            found.append(
                AwaitingAgreement(
                    _("Calendar of the %(year)s cycle") % {"year": proposal.cycle.year},
                    proposal.party.code,
                    "cycle",
                    proposal.cycle.year,
                )
            )
    outcomes = (
        Outcome.objects.filter(agreed_by__isnull=True, meeting__party__isnull=False)
        .exclude(kind=Outcome.Kind.NOTE)
        .exclude(meeting__party=actor.party)
        .select_related("meeting__party")
        .order_by("meeting__date", "pk")
    )
    for outcome in outcomes:
        if permissions.can_agree(actor, outcome.meeting.party_id):
            found.append(
                AwaitingAgreement(
                    _("%(kind)s of %(meeting)s: %(text)s")
                    % {
                        "kind": outcome.get_kind_display(),
                        "meeting": outcome.meeting.title,
                        "text": Truncator(outcome.text).chars(80),
                    },
                    outcome.meeting.party.code if outcome.meeting.party else "",
                    "meeting",
                    outcome.meeting.uid,
                )
            )
    priorities = (
        Priority.objects.filter(agreed_by__isnull=True, set_at__party__isnull=False)
        .exclude(set_at__party=actor.party)
        .select_related("set_at__party", "cycle", "area", "action")
        .order_by("cycle__year", "pk")
    )
    for priority in priorities:
        if permissions.can_agree(actor, priority.set_at.party_id):
            subject = priority.action or priority.area
            found.append(
                AwaitingAgreement(
                    _("Priority of the %(year)s cycle: %(subject)s")
                    % {"year": priority.cycle.year, "subject": subject},
                    priority.set_at.party.code if priority.set_at.party else "",
                    "cycle",
                    priority.cycle.year,
                )
            )
    unsigned = (
        PublishedReport.objects.exclude(signatures__party=actor.party)
        .select_related("cycle", "party")
        .order_by("cycle__year")
    )
    for report in unsigned:
        found.append(
            AwaitingAgreement(
                _("Countersign the %(year)s progress report") % {"year": report.cycle.year},
                report.party.code if report.party else "",
                "report",
                report.cycle.year,
            )
        )
    return found


def desk(user) -> dict[str, Any] | None:
    """The cycle's part of the reader's own page (the dashboard's first panel), None for the public:

    - a secretariat: contributions of its party awaiting its moderation, what awaits its agreement, and the
      reminders due this cycle for its party;
    - an action lead: the reminders due on the actions its organisation leads;
    - a stakeholder or Member State: the consultation windows open now and its own contributions.
    At most eleven queries, whatever the size of the history."""
    actor = actor_for(user)
    if actor is None:
        return None
    cycle = services.current_cycle()
    data: dict[str, Any] = {"actor": actor, "cycle": cycle, "role": actor.role}
    if actor.is_secretariat:
        pending = (
            Contribution.objects.filter(status=Contribution.Status.PENDING, organisation__party=actor.party)
            .select_related("organisation", "window__cycle")
            .order_by("created_at", "pk")
        )
        to_moderate = list(pending[: DESK_ROWS + 1])
        data.update(
            to_moderate=to_moderate[:DESK_ROWS],
            more_to_moderate=len(to_moderate) > DESK_ROWS,
            can_moderate=permissions.writes_on_this_node(actor),
            to_agree=awaiting_agreement(actor),
        )
    if cycle is not None and (actor.is_secretariat or actor.role == Membership.Role.ACTION_LEAD):
        data["reminders"] = reminders(user, cycle)
    if permissions.can_contribute(actor):
        now = timezone.now()
        data["open_windows"] = list(
            ConsultationWindow.objects.filter(opens__lte=now, closes__gt=now)
            .select_related("cycle")
            .order_by("closes", "pk")
        )
        data["own_contributions"] = list(
            Contribution.objects.filter(organisation=actor.organisation)
            .select_related("window__cycle")
            .order_by("-created_at", "-pk")[:DESK_ROWS]
        )
    return data


#: Rows of a list on the reader's own page; the full list is one link away.
DESK_ROWS = 10
