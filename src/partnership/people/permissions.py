"""Who may do what. Services call these; no entry point decides on its own.

The one rule that must never bend: a user writes only as their own party and organisation. Services
never take a party from input; they take it from `actor_for(user)`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

from partnership.errors import PermissionDenied

from .models import Membership, Organisation, Party


@dataclass(frozen=True)
class Actor:
    """A signed-in user as the partnership sees them: their organisation, party and role."""

    user: User
    organisation: Organisation
    party: Party
    role: str

    @property
    def is_secretariat(self) -> bool:
        return self.role == Membership.Role.SECRETARIAT

    @property
    def role_label(self) -> str:
        """The role in the reader's language (the header and the dashboard say whom the page is for)."""
        return str(Membership.Role(self.role).label)


def actor_for(user: User | AnonymousUser | None) -> Actor | None:
    """The actor behind `user`, or None for the public and for accounts without a party."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    # One query for membership, organisation and party, kept on the user for the rest of the request:
    # every page and service asks, and the dashboard's query budget is 15 (issue #2).
    if not hasattr(user, "_partnership_actor"):
        state = getattr(user, "_state", None)
        if state is not None and "membership" in state.fields_cache:
            # Loaded with the user (a bearer token's lookup selects it): no second query per API call.
            # (None when the user has none: the reverse accessor raises an AttributeError then.)
            membership = getattr(user, "membership", None)
        else:
            membership = Membership.objects.select_related("organisation__party").filter(user=user).first()
        actor = None
        party = membership.organisation.party if membership is not None else None
        if membership is not None and party is not None:
            actor = Actor(user=user, organisation=membership.organisation, party=party, role=membership.role)
        user._partnership_actor = actor  # type: ignore[attr-defined]
    return user._partnership_actor  # type: ignore[attr-defined]


def member_for(user: User | AnonymousUser | None) -> Actor | None:
    """The actor behind `user` if they take part in the partnership's work; None for the public and for
    an online platform's account, which files its own statements of reasons (paras 63-64) and otherwise
    reads what the public reads: a platform is a regulated firm, not a member of the partnership. So is a
    cable operator's account (para 61): it reports its outages and reads the cable map and the outage
    reports it may (`outage_reader_for`), nothing else of the members'."""
    actor = actor_for(user)
    if actor is None or actor.role in (Membership.Role.PLATFORM, Membership.Role.OPERATOR):
        return None
    return actor


def outage_reader_for(user: User | AnonymousUser | None) -> Actor | None:
    """The actor behind `user` if they may read cable outage reports at all (para 61): a member of either
    party or a cable operator; within that, each report's TLP level decides. None for the public and
    platforms."""
    actor = actor_for(user)
    if actor is None or actor.role == Membership.Role.PLATFORM:
        return None
    return actor


def can_use_back_office(user: User | AnonymousUser | None) -> bool:
    """The back office (Django's admin) is the operator's (an active superuser) and the secretariats'
    (their accounts are staff); nobody else, not even an account someone made staff by hand: its pages
    follow the same rules as the services, and a lead or a stakeholder has nothing to do there."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    actor = actor_for(user)
    return actor is not None and actor.is_secretariat


def require_actor(user: User | AnonymousUser | None) -> Actor:
    """The actor behind `user`; PermissionDenied for anyone who acts for no party."""
    actor = actor_for(user)
    if actor is None:
        raise PermissionDenied(_("You must be signed in as a member of a party to do this."))
    return actor


def can_read_progress(user: User | AnonymousUser | None) -> bool:
    """Progress data (updates, deliverables, indicators) is for the partnership's members until published."""
    return member_for(user) is not None


def require_read_progress(user: User | AnonymousUser | None) -> Actor:
    """`can_read_progress`, or PermissionDenied saying who may (the programme's lists call it)."""
    actor = member_for(user)
    if actor is None:
        raise PermissionDenied(_("Progress is shared with the partnership's members."))
    return actor


def can_read_outcomes(user: User | AnonymousUser | None) -> bool:
    """Meetings and their outcomes (decisions, guidance, follow-up) are for the partnership's members."""
    return member_for(user) is not None


def require_read_outcomes(user: User | AnonymousUser | None) -> Actor:
    """`can_read_outcomes`, or PermissionDenied saying who may (the meeting page and the API's list)."""
    actor = member_for(user)
    if actor is None:
        raise PermissionDenied(
            _("Meetings and their outcomes are shared with the partnership's members. Sign in to read them.")
        )
    return actor


def can_file_statements(actor: Actor | None) -> bool:
    """Statements of reasons (DSA Art 17/24(5), paras 63-64) are filed by an online platform for itself:
    a member with the platform role of an organisation of the platform kind, on its party's node. No one
    files for a platform but the platform (not a secretariat, not another platform)."""
    return (
        actor is not None
        and actor.role == Membership.Role.PLATFORM
        and actor.organisation.kind == Organisation.Kind.PLATFORM
        and writes_on_this_node(actor)
    )


def require_file_statements(user: User | AnonymousUser | None) -> Actor:
    """`can_file_statements` for `user`, raising PermissionDenied with the reason; the platform the
    statements belong to is the actor's organisation, never one named in the input."""
    actor = require_actor(user)
    if actor.role != Membership.Role.PLATFORM or actor.organisation.kind != Organisation.Kind.PLATFORM:
        raise PermissionDenied(_("Only an online platform's account files statements of reasons."))
    return require_node_party(actor)


def can_close_platform_month(actor: Actor | None) -> bool:
    """A party's secretariat signs its platforms' monthly counts for the other party (paras 63-64), on
    its party's node."""
    return actor is not None and actor.is_secretariat and writes_on_this_node(actor)


def require_close_platform_month(user: User | AnonymousUser | None) -> Actor:
    """`can_close_platform_month` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if not actor.is_secretariat:
        raise PermissionDenied(_("Only a party's secretariat closes its platforms' month."))
    return require_node_party(actor)


def can_read_statements(user: User | AnonymousUser | None) -> bool:
    """Statements of reasons are public data, as in the EU's DSA Transparency Database: anyone reads
    them, and the counts made of them."""
    return True


def can_read_removal_requests(user: User | AnonymousUser | None, platform: Organisation) -> bool:
    """A platform's records of removal requests under Japan's Information Distribution Platform Act,
    one by one: the platform itself and the secretariats; the public reads the yearly counts only."""
    actor = actor_for(user)
    if actor is None:
        return False
    return actor.is_secretariat or actor.organisation.pk == platform.pk


def can_read_sealed_records(user: User | AnonymousUser | None) -> bool:
    """The envelope of a record sealed to a peer node (threat intelligence under TLP): the secretariat,
    which runs the node, sees what the node sees of it, and why the node could not apply one; members
    read the objects themselves through TAXII, under the TLP rule, never from the ledger."""
    actor = actor_for(user)
    return actor is not None and actor.is_secretariat


def writes_on_this_node(actor: Actor | None) -> bool:
    """May `actor` author shared records on this node at all?

    A federated node (settings.NODE_PARTY set) signs records only for the party running it: the other
    party's records are written on that party's node and arrive here signed, read-only. The embedded
    single node (NODE_PARTY empty) writes for every party.
    """
    if actor is None:
        return False
    return not settings.NODE_PARTY or actor.party.code == settings.NODE_PARTY


def require_node_party(actor: Actor) -> Actor:
    """`writes_on_this_node`, raising PermissionDenied with the reason."""
    if not writes_on_this_node(actor):
        raise PermissionDenied(
            _(
                "This node is run by %(node)s and signs only %(node)s's records; "
                "write %(party)s's records on the %(party)s node."
            )
            % {"node": settings.NODE_PARTY, "party": actor.party.code}
        )
    return actor


def require_local_record(signed_by: str | None) -> None:
    """A record signed by a peer node (`signed_by` = its party code) is read-only on this node.

    Its history is in the peer's signed log; a change made here would be a change nobody signed.
    """
    if signed_by:
        raise PermissionDenied(
            _("This record was signed by the %(party)s node; it can only be changed there.")
            % {"party": signed_by}
        )


def can_edit_progress(actor: Actor | None, party_id: int, lead_organisation_ids: set[int]) -> bool:
    """May `actor` write progress of `party_id` on an action led by `lead_organisation_ids`?

    A secretariat edits everything of its own party; an action lead edits the actions its organisation
    leads; nobody writes for another party, nor for a party other than the node's (`writes_on_this_node`).
    """
    if actor is None or actor.party.pk != party_id or not writes_on_this_node(actor):
        return False
    if actor.role == Membership.Role.SECRETARIAT:
        return True
    return actor.role == Membership.Role.ACTION_LEAD and actor.organisation.pk in lead_organisation_ids


def require_edit_progress(actor: Actor | None, party_id: int, lead_organisation_ids: set[int]) -> Actor:
    """`can_edit_progress`, raising PermissionDenied with the reason."""
    if actor is None:
        raise PermissionDenied(_("You must be signed in as a member of a party to do this."))
    if actor.party.pk != party_id:
        raise PermissionDenied(_("You can only write for your own party."))
    require_node_party(actor)
    if not can_edit_progress(actor, party_id, lead_organisation_ids):
        raise PermissionDenied(
            _("Only your party's secretariat or an organisation leading this action can change its progress.")
        )
    return actor


def can_comment(actor: Actor | None) -> bool:
    """Every member of a party may comment (para 45: member states; para 22: stakeholders)."""
    return actor is not None


def can_manage_programme(actor: Actor | None) -> bool:
    """The programme itself (parties, areas, actions) is changed by a secretariat, through the loader."""
    return actor is not None and actor.is_secretariat


def can_publish_report(actor: Actor | None) -> bool:
    """The secretariats publish the progress report to the Council (para 20: they coordinate)."""
    return actor is not None and actor.is_secretariat


def require_publish_report(user: User | AnonymousUser | None) -> Actor:
    """`can_publish_report` for `user`, raising PermissionDenied with the reason. Publishing signs the
    report for the actor's party, so a federated node lets only its own party's secretariat publish."""
    actor = require_actor(user)
    if not can_publish_report(actor):
        raise PermissionDenied(_("Only the secretariats publish the progress report."))
    return require_node_party(actor)


def can_read_published_reports(user: User | AnonymousUser | None) -> bool:
    """A published report and its parties' signatures are public (para 44), in the ledger as on its page."""
    return True


def can_countersign_report(actor: Actor | None, signed_party_ids: set[int]) -> bool:
    """A secretariat countersigns a published report for its own party, on its own party's node, once:
    the party that published it signed it then (para 20: the secretariats coordinate the report)."""
    return (
        actor is not None
        and actor.is_secretariat
        and writes_on_this_node(actor)
        and actor.party.pk not in signed_party_ids
    )


def require_countersign_report(user: User | AnonymousUser | None) -> Actor:
    """The first checks of `can_countersign_report` for `user` (a secretariat, on its party's node),
    raising PermissionDenied with the reason; the service checks the signatures already made under lock."""
    actor = require_actor(user)
    if not actor.is_secretariat:
        raise PermissionDenied(_("Only the secretariats sign the progress report."))
    return require_node_party(actor)


def can_preview_report(actor: Actor | None) -> bool:
    """The draft report as PDF is the proof a secretariat reads before publishing it: whoever publishes."""
    return can_publish_report(actor)


def require_preview_report(user: User | AnonymousUser | None) -> Actor:
    """`can_preview_report` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if not can_preview_report(actor):
        raise PermissionDenied(_("Only the secretariats preview the draft report as PDF."))
    return actor


def can_manage_trust(actor: Actor | None, party_id: int) -> bool:
    """A party's secretariat keeps its own trust store (the keys its verifiers accept), no one else."""
    return actor is not None and actor.is_secretariat and actor.party.pk == party_id


def require_manage_trust(user: User | AnonymousUser | None, party_id: int) -> Actor:
    """`can_manage_trust` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if not can_manage_trust(actor, party_id):
        raise PermissionDenied(_("Only a party's secretariat changes that party's trusted keys."))
    return actor


def can_manage_collections(actor: Actor | None, party_id: int | None) -> bool:
    """A party's secretariat sets up the threat-intelligence collections of its own party's API root and
    who may use them (para 54); no one else, and no one for an API root of no party."""
    return actor is not None and actor.is_secretariat and party_id is not None and actor.party.pk == party_id


def require_manage_collections(user: User | AnonymousUser | None, party_id: int | None) -> Actor:
    """`can_manage_collections` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if not can_manage_collections(actor, party_id):
        raise PermissionDenied(
            _("Only a party's secretariat sets up that party's threat-intelligence collections.")
        )
    return require_node_party(actor)


def can_follow_up(actor: Actor | None, owner_organisation_id: int | None, owner_party_id: int | None) -> bool:
    """A decision or guidance item is reported on by its owner's members or its owner's party's secretariat.

    Each party owns its word: a secretariat does not report for an organisation of the other party. An owner
    of no party (a joint mechanism, para 21) is reported on by its members or by either secretariat.
    """
    if actor is None or owner_organisation_id is None or not writes_on_this_node(actor):
        return False
    if actor.organisation.pk == owner_organisation_id:
        return True
    return actor.is_secretariat and (owner_party_id is None or actor.party.pk == owner_party_id)


def require_follow_up(actor: Actor, owner_organisation_id: int | None, owner_party_id: int | None) -> Actor:
    """`can_follow_up`, raising PermissionDenied with the reason."""
    require_node_party(actor)
    if not can_follow_up(actor, owner_organisation_id, owner_party_id):
        if actor.is_secretariat:
            raise PermissionDenied(
                _("A secretariat reports only on items owned by an organisation of its own party.")
            )
        raise PermissionDenied(_("Only the owner or a secretariat can report on this item."))
    return actor


def can_moderate(actor: Actor | None, contributor_party_id: int | None) -> bool:
    """A secretariat moderates the contributions of its own party's stakeholders and Member States.

    Each party owns its word (para 22: each side's stakeholders; para 45: the EU Member States are of the
    EU side): the other party's secretariat neither accepts nor rejects them.
    """
    return (
        actor is not None
        and actor.is_secretariat
        and contributor_party_id is not None
        and actor.party.pk == contributor_party_id
        and writes_on_this_node(actor)
    )


def require_moderate(actor: Actor, contributor_party_id: int | None) -> Actor:
    """`can_moderate`, raising PermissionDenied with the reason."""
    require_node_party(require_steer_cycle(actor))
    if not can_moderate(actor, contributor_party_id):
        raise PermissionDenied(_("A secretariat moderates only the contributions from its own party."))
    return actor


CONTRIBUTOR_ROLES = frozenset({Membership.Role.STAKEHOLDER, Membership.Role.MEMBER_STATE})


def can_contribute(actor: Actor | None) -> bool:
    """Stakeholder bodies (para 22) and Member States (para 45) send contributions; nobody else."""
    return actor is not None and actor.role in CONTRIBUTOR_ROLES


def require_contributor(user: User | AnonymousUser | None) -> Actor:
    """`can_contribute` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if not can_contribute(actor):
        raise PermissionDenied(_("Contributions come from stakeholder bodies and Member States."))
    return actor


def can_steer_cycle(actor: Actor | None) -> bool:
    """The secretariats run the yearly cycle (paras 19-23): plan it, record meetings and outcomes."""
    return actor is not None and actor.is_secretariat


def require_steer_cycle(actor: Actor | None) -> Actor:
    """`can_steer_cycle`, raising PermissionDenied with the reason."""
    if actor is None or not can_steer_cycle(actor):
        raise PermissionDenied(_("Only the secretariats steer the cycle."))
    return actor


def can_read_contribution(actor: Actor | None, accepted: bool, contributor_organisation_id: int) -> bool:
    """An accepted contribution is public; until then only its organisation and the secretariats read it."""
    if accepted:
        return True
    if actor is None:
        return False
    return actor.is_secretariat or actor.organisation.pk == contributor_organisation_id


def can_read_cycle(user: User | AnonymousUser | None) -> bool:
    """A cycle's calendar, phases, consultation windows and accepted contributions are public, as on the
    cycle and consultation pages."""
    return True


def can_agree(actor: Actor | None, proposer_party_id: int | None) -> bool:
    """A joint decision (a cycle's calendar, a Council outcome, a priority) proposed by one party is agreed
    by the other party's secretariat, on its own node, and by nobody else (paras 21, 23)."""
    return (
        actor is not None
        and actor.is_secretariat
        and proposer_party_id is not None
        and actor.party.pk != proposer_party_id
        and writes_on_this_node(actor)
    )


def require_agree(actor: Actor, proposer_party_id: int | None) -> Actor:
    """`can_agree`, raising PermissionDenied with the reason."""
    require_node_party(require_steer_cycle(actor))
    if proposer_party_id is not None and actor.party.pk == proposer_party_id:
        raise PermissionDenied(
            _("A party cannot agree to its own proposal: the other party's secretariat agrees to it.")
        )
    if not can_agree(actor, proposer_party_id):
        raise PermissionDenied(_("Only the other party's secretariat agrees to this proposal."))
    return actor


def can_record_at_meeting(actor: Actor | None, host_party_id: int | None) -> bool:
    """A meeting's outcomes and priorities are recorded by its host: the secretariat of the party that
    recorded the meeting (either secretariat for a meeting of no recorded host)."""
    return (
        actor is not None
        and actor.is_secretariat
        and writes_on_this_node(actor)
        and (host_party_id is None or actor.party.pk == host_party_id)
    )


def require_record_at_meeting(actor: Actor, host_party_id: int | None, host_code: str = "") -> Actor:
    """`can_record_at_meeting`, raising PermissionDenied with the reason."""
    require_node_party(require_steer_cycle(actor))
    if not can_record_at_meeting(actor, host_party_id):
        raise PermissionDenied(
            _(
                "This meeting was recorded by the %(party)s secretariat: its outcomes and priorities are "
                "recorded there, and you confirm them."
            )
            % {"party": host_code}
        )
    return actor


def can_read_monitoring_series(user: User | AnonymousUser | None) -> bool:
    """Supply-chain monitoring series and their vintages (para 46: joint monitoring) are shared between the
    members of both parties; the public reads none of them. Firm-level information will carry a TLP level
    with its own rule; the series are aggregate statistics and need none."""
    return member_for(user) is not None


def can_publish_series(actor: Actor | None, party_id: int, organisation_id: int | None = None) -> bool:
    """May `actor` publish (create, import into, describe) a monitoring series of `party_id`?

    A party's secretariat publishes every series of its own party; an action lead (the ministry or agency
    that compiles the statistics, e.g. METI or DG GROW) publishes new series and those its organisation
    owns (`organisation_id`, None for a new series). Nobody publishes for the other party, nor for a party
    other than the node's (`writes_on_this_node`).
    """
    return _party_or_lead_writes(actor, party_id, organisation_id)


def _party_or_lead_writes(actor: Actor | None, party_id: int, organisation_id: int | None) -> bool:
    """The party's secretariat writes every record of its party; an action lead (the responsible ministry
    or lead organisation) writes new ones and those its organisation authored; only on its party's node."""
    if actor is None or actor.party.pk != party_id or not writes_on_this_node(actor):
        return False
    if actor.is_secretariat:
        return True
    return actor.role == Membership.Role.ACTION_LEAD and organisation_id in (None, actor.organisation.pk)


def require_publish_series(
    user: User | AnonymousUser | None, party_id: int, organisation_id: int | None
) -> Actor:
    """`can_publish_series` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if actor.party.pk != party_id:
        raise PermissionDenied(_("You can only publish your own party's monitoring series."))
    require_node_party(actor)
    if not can_publish_series(actor, party_id, organisation_id):
        raise PermissionDenied(
            _(
                "Only your party's secretariat, or the organisation that owns a series (as action lead), "
                "publishes monitoring series."
            )
        )
    return actor


def can_write_register(actor: Actor | None, party_id: int, organisation_id: int | None = None) -> bool:
    """May `actor` write (create, revise) an entry of `party_id`'s investment or export-control register
    (para 46: exchange on long-term investment strategies, coordination of export controls)?

    Each party writes its own entries: its secretariat every entry, the responsible ministry or lead
    organisation (an action lead) new entries and those its organisation authored (`organisation_id`,
    None for a new entry). Nobody writes for the other party, nor on the other party's node.
    """
    return _party_or_lead_writes(actor, party_id, organisation_id)


def require_write_register(
    user: User | AnonymousUser | None, party_id: int, organisation_id: int | None
) -> Actor:
    """`can_write_register` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if actor.party.pk != party_id:
        raise PermissionDenied(_("You can only write your own party's register entries."))
    require_node_party(actor)
    if not can_write_register(actor, party_id, organisation_id):
        raise PermissionDenied(
            _(
                "Only your party's secretariat, or the responsible ministry or lead organisation for the "
                "entries it wrote, writes register entries."
            )
        )
    return actor


def supply_chain_reader(user: User | AnonymousUser | None) -> tuple[int, bool] | None:
    """Who reads supply-chain events and alerts (para 46, issue 16 items 3, 4 and 6): every member of
    either party, under the TLP rule (`people.tlp`), as (their organisation, whether they read
    TLP:GREEN); None for the public. The community of TLP:GREEN is the partnership's public bodies
    (secretariats, ministries and agencies, member states); a stakeholder body reads TLP:CLEAR, what its
    organisation wrote and what names it. The records' envelopes are read from the ledger as threat
    intelligence's (`can_read_sealed_records`): their content is sealed to the other party's node."""
    actor = member_for(user)
    if actor is None:
        return None
    return actor.organisation.pk, actor.role != Membership.Role.STAKEHOLDER


def can_write_supply_alerts(actor: Actor | None) -> bool:
    """May `actor` report events, add to the other party's, and propose, acknowledge, assess, own, act
    on and close alerts? A party's secretariat and its action leads (the ministries that watch the
    supply chain, e.g. METI or DG GROW), for their own party only and on their own party's node."""
    return (
        actor is not None
        and actor.role in (Membership.Role.SECRETARIAT, Membership.Role.ACTION_LEAD)
        and writes_on_this_node(actor)
    )


def require_write_supply_alerts(user: User | AnonymousUser | None) -> Actor:
    """`can_write_supply_alerts` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    require_node_party(actor)
    if not can_write_supply_alerts(actor):
        raise PermissionDenied(
            _("Only a party's secretariat or its action leads report supply-chain events and act on alerts.")
        )
    return actor


def can_read_register_records(user: User | AnonymousUser | None) -> bool:
    """Who reads the registers' records from the ledger: members of either party. A record below
    TLP:CLEAR carries its entry sealed to the peer node, so the log shows them only its envelope."""
    return member_for(user) is not None


def register_reader(user: User | AnonymousUser | None) -> tuple[Actor, bool]:
    """Who reads the registers' firm-level entries: members of either party, each entry under its TLP
    level (`people.tlp.visible`, the one TLP rule). Returns the actor and whether they belong to the TLP
    community (the governments' people: every role but stakeholder, who reads TLP:CLEAR only). The public
    reads nothing."""
    actor = member_for(user)
    if actor is None:
        raise PermissionDenied(
            _("The investment and export-control registers are for the partnership's members.")
        )
    return actor, actor.role != Membership.Role.STAKEHOLDER


def can_manage_people(actor: Actor | None, party_id: int | None) -> bool:
    """May `actor` invite, list, change and deactivate the people of `party_id`?

    Each party onboards its own people: only that party's secretariat, and on a federated node only the
    node's party (people live on their own party's node; the other party's arrive as signatures only).
    A secretariat may grant any role of its own party, another secretariat account included: that is no
    escalation, since the secretariat already holds every right its party has, and a party's secretariat
    is a team (its colleagues must be onboarded without the operator). It never grants anything beyond
    its party: superuser rights and the other party's organisations are out of its reach.
    """
    return (
        actor is not None
        and actor.is_secretariat
        and party_id is not None
        and actor.party.pk == party_id
        and writes_on_this_node(actor)
    )


def require_people_secretariat(user: User | AnonymousUser | None) -> Actor:
    """The first check of every step of managing people: a secretariat, on its own party's node."""
    actor = require_actor(user)
    if not actor.is_secretariat:
        raise PermissionDenied(_("Only a party's secretariat manages that party's people."))
    return require_node_party(actor)


def require_manage_people(user: User | AnonymousUser | None, party_id: int | None) -> Actor:
    """`can_manage_people` for `user`, raising PermissionDenied with the reason."""
    actor = require_people_secretariat(user)
    if not can_manage_people(actor, party_id):
        raise PermissionDenied(_("A secretariat manages only its own party's people."))
    return actor


def require_manage_person(user: User | AnonymousUser | None, person: User, party_id: int | None) -> Actor:
    """`require_manage_people` for one account (of `party_id`), which must not be the actor's own nor the
    operator's: a secretariat cannot lock itself out or demote itself by mistake (a colleague does it),
    and the operator's superuser account is the operator's to change."""
    actor = require_manage_people(user, party_id)
    if person.pk == actor.user.pk:
        raise PermissionDenied(
            _("You cannot change or deactivate your own account; ask a colleague of your secretariat.")
        )
    if person.is_superuser:
        raise PermissionDenied(_("The operator's account is changed by the operator."))
    return actor


def can_read_cable_map(user: User | AnonymousUser | None) -> bool:
    """The connectivity map and its route analysis (para 61) are for the members of both parties, not the
    public: the map is imported from a source licensed for non-commercial use that the node must not
    republish, and "which few cables disconnect the parties" is a list of targets. Cable operators read it
    too (they report outages on its cables); platforms do not."""
    return outage_reader_for(user) is not None


def can_import_cable_map(actor: Actor | None) -> bool:
    """May `actor` import a snapshot of the connectivity map? A party's secretariat, on its own party's
    node (`writes_on_this_node`): the map is the node's reference data, which its operator maintains."""
    return actor is not None and actor.is_secretariat and writes_on_this_node(actor)


def require_import_cable_map(user: User | AnonymousUser | None) -> Actor:
    """`can_import_cable_map` for `user`, raising PermissionDenied with the reason."""
    actor = require_node_party(require_actor(user))
    if not can_import_cable_map(actor):
        raise PermissionDenied(_("Only a party's secretariat imports the connectivity map."))
    return actor


def can_translate(
    actor: Actor | None, item_party_id: int, author_user_id: int | None, author_organisation_id: int | None
) -> bool:
    """A text is translated by its author (the user who wrote it, or a member of the organisation that
    owns it) or by its party's secretariat, on that party's node; never by the other party (each party
    owns its word, and a translation puts words in the author's name)."""
    if actor is None or actor.party.pk != item_party_id or not writes_on_this_node(actor):
        return False
    if actor.is_secretariat:
        return True
    return (author_user_id is not None and actor.user.pk == author_user_id) or (
        author_organisation_id is not None and actor.organisation.pk == author_organisation_id
    )


def require_translate(
    user: User | AnonymousUser | None,
    item_party_id: int,
    author_user_id: int | None,
    author_organisation_id: int | None,
) -> Actor:
    """`can_translate` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    require_node_party(actor)
    if actor.party.pk != item_party_id:
        raise PermissionDenied(_("Only the author's own party translates its text."))
    if not can_translate(actor, item_party_id, author_user_id, author_organisation_id):
        raise PermissionDenied(_("Only the author or the author's party's secretariat translates this text."))
    return actor


def can_see_translation_queue(actor: Actor | None) -> bool:
    """The queue of texts still to translate for the Council report is the secretariats' work list."""
    return actor is not None and actor.is_secretariat


def require_translation_queue(user: User | AnonymousUser | None) -> Actor:
    """`can_see_translation_queue` for `user`, raising PermissionDenied with the reason."""
    actor = require_actor(user)
    if not can_see_translation_queue(actor):
        raise PermissionDenied(_("The translation queue is the secretariats' work list."))
    return actor


def can_report_outage(actor: Actor | None) -> bool:
    """May `actor` report submarine cable outages (para 61)? A member with the operator role of an
    organisation of the operator kind, on its party's node. Whether it may report on a given cable (one
    responsible filer per consortium) is the outage service's rule."""
    return (
        actor is not None
        and actor.role == Membership.Role.OPERATOR
        and actor.organisation.kind == Organisation.Kind.OPERATOR
        and writes_on_this_node(actor)
    )


def require_report_outage(user: User | AnonymousUser | None) -> Actor:
    """`can_report_outage` for `user`, raising PermissionDenied with the reason; the operator the report
    belongs to is the actor's organisation, never one named in the input."""
    actor = require_actor(user)
    if actor.role != Membership.Role.OPERATOR or actor.organisation.kind != Organisation.Kind.OPERATOR:
        raise PermissionDenied(_("Only a cable operator's account reports outages."))
    return require_node_party(actor)


def can_manage_outage_reporting(actor: Actor | None) -> bool:
    """A party's secretariat edits its party's reporting profile and designates each consortium's
    responsible filer, on its party's node."""
    return actor is not None and actor.is_secretariat and writes_on_this_node(actor)


def require_manage_outage_reporting(user: User | AnonymousUser | None) -> Actor:
    """`can_manage_outage_reporting` for `user`, raising PermissionDenied with the reason."""
    actor = require_node_party(require_actor(user))
    if not can_manage_outage_reporting(actor):
        raise PermissionDenied(_("Only a party's secretariat sets the outage reporting rules."))
    return actor


def can_read_outages(user: User | AnonymousUser | None) -> bool:
    """Outage reports are for the members of both parties (never the public), and within them each
    report's TLP level decides (the outage list's query); cable operators read the reports they
    are named in."""
    return outage_reader_for(user) is not None
