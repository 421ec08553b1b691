"""The registers of investment plans and export-control measures (issue 16, items 5 and 6): who writes and
reads them (the matrix on the web and the API), TLP visibility, hostile input, revisions, late notices and
the mail to the other party's subscribers."""

import datetime
import json

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.exchanges.supply_chain import register_queries, registers
from partnership.exchanges.supply_chain.models import ExportControl, Investment, RegisterRevision
from partnership.ledger.models import LogEntry

API = "/api/v1/supply-chain"


def plan(**changes):
    """An investment plan as a writer gives it."""
    data = {
        "firm": "Rapidus",
        "site": "IIM-1, Chitose",
        "country": "JP",
        "technology_node": "2 nm",
        "capacity": "25000",
        "capacity_unit": "wafers per month",
        "amount": "5000000000000",
        "currency": "JPY",
        "support_amount": "920000000000",
        "support_instrument": "grant",
        "support_basis": "Act on Promotion of Development of Specified Semiconductor Production Facilities",
        "announced_on": "2022-11-11",
        "start_on": "2023-09-01",
        "production_on": "2027-04-01",
        "status": "construction",
        "tlp": "amber",
    }
    data.update(changes)
    return data


def measure(**changes):
    """An export-control measure as a writer gives it."""
    today = timezone.now().date()
    data = {
        "title": "Export controls on 23 items of semiconductor manufacturing equipment",
        "kind": "new",
        "items": [{"list": "jp-etco", "entry": "7(18)"}, {"list": "wassenaar", "entry": "3B001.f.1"}],
        "hs_codes": ["8486.20", "848640"],
        "legal_basis": "Ministerial Ordinance amending the Export Trade Control Order, METI Ordinance No. 25",
        "adopted_on": (today - datetime.timedelta(days=5)).isoformat(),
        "takes_effect": (today + datetime.timedelta(days=10)).isoformat(),
        "tlp": "green",
    }
    data.update(changes)
    return data


def bearer(user):
    from partnership.people.services import create_token

    return {"HTTP_AUTHORIZATION": "Bearer " + create_token(user, "test")[1]}


# --- who writes -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestWriters:
    def test_the_secretariat_writes_its_partys_entries_and_each_change_is_a_signed_revision(self, members):
        entry = registers.create(members["jp_secretariat"], "investments", plan())
        assert (entry.party.code, entry.revision) == ("JP", 1)
        revised = registers.revise(
            members["jp_secretariat"], "investments", entry.uid, plan(status="producing"), revision=1
        )
        assert revised.revision == 2
        history = list(RegisterRevision.objects.filter(investment=entry).order_by("revision"))
        assert [r.content["status"] for r in history] == ["construction", "producing"]
        assert all(r.ledger_entry is not None for r in history)
        assert revised.ledger_entry.from_peer is False and revised.signed_by is None

    def test_a_revision_that_changes_nothing_makes_none(self, members):
        entry = registers.create(members["jp_secretariat"], "investments", plan())
        assert registers.revise(members["jp_secretariat"], "investments", entry.uid, plan()).revision == 1

    def test_a_stale_revision_is_a_conflict_not_an_overwrite(self, members):
        entry = registers.create(members["jp_secretariat"], "investments", plan())
        registers.revise(members["jp_secretariat"], "investments", entry.uid, plan(status="paused"), 1)
        with pytest.raises(Conflict):
            registers.revise(members["jp_secretariat"], "investments", entry.uid, plan(status="cancelled"), 1)
        assert Investment.objects.get(uid=entry.uid).status == "paused"

    def test_the_lead_ministry_writes_new_entries_and_its_own_not_the_secretariats(self, members):
        mine = registers.create(members["eu_lead"], "export_controls", measure())
        assert mine.organisation.code == "eu-dg-grow"
        registers.revise(members["eu_lead"], "export_controls", mine.uid, measure(title="Amended title"))
        theirs = registers.create(members["eu_secretariat"], "export_controls", measure(tlp="green"))
        with pytest.raises(PermissionDenied):
            registers.revise(members["eu_lead"], "export_controls", theirs.uid, measure(title="Not mine"))

    @pytest.mark.parametrize("who", ["jp_stakeholder", "eu_member_state", "eu_stakeholder"])
    def test_a_wrong_role_writes_nothing(self, members, who):
        with pytest.raises(PermissionDenied):
            registers.create(members[who], "investments", plan())
        assert not Investment.objects.exists()

    def test_the_other_party_cannot_revise_an_entry_it_may_read(self, members):
        entry = registers.create(members["jp_secretariat"], "export_controls", measure(tlp="clear"))
        with pytest.raises(PermissionDenied):
            registers.revise(members["eu_secretariat"], "export_controls", entry.uid, measure(title="EU's"))
        assert ExportControl.objects.get().revision == 1

    def test_the_public_writes_nothing(self, members):
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            registers.create(AnonymousUser(), "investments", plan())


# --- validation and hostile input -----------------------------------------------------------------


@pytest.mark.django_db
class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"amount": "-1"}, "amount"),
            ({"capacity": "1e400"}, "capacity"),
            ({"capacity": "NaN"}, "capacity"),
            ({"support_amount": "0.00001"}, "support_amount"),
            ({"amount": True}, "amount"),
            ({"amount": "12", "currency": ""}, "currency"),
            ({"currency": "XYZ"}, "currency"),
            ({"country": "ZZ"}, "country"),
            ({"country": 81}, "country"),
            ({"capacity_unit": ""}, "capacity_unit"),
            ({"start_on": "2021-01-01"}, "start_on"),
            ({"production_on": "2023-02-30"}, "production_on"),
            ({"announced_on": "11/11/2022"}, "announced_on"),
            ({"status": "rumoured"}, "status"),
            ({"firm": ""}, "firm"),
            ({"firm": "x" * 201}, "firm"),
            ({"firm": "nul\x00byte"}, "firm"),
            ({"tlp": "white"}, "tlp"),
            ({"recipients": ["eu-dg-grow"], "tlp": "green"}, "recipients"),
            ({"recipients": ["no-such-org"]}, "recipients"),
            ({"owner": "EU"}, "owner"),
        ],
    )
    def test_a_bad_investment_is_refused_naming_the_field_and_nothing_is_stored(
        self, members, changes, field
    ):
        with pytest.raises(Invalid) as refused:
            registers.create(members["jp_secretariat"], "investments", plan(**changes))
        assert field in refused.value.fields, refused.value.fields
        assert refused.value.message.startswith(field)
        assert not Investment.objects.exists() and not LogEntry.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"hs_codes": ["85"]}, "hs_codes[0]"),
            ({"hs_codes": ["8486.2"]}, "hs_codes[0]"),
            ({"hs_codes": ["8486", "8486"]}, "hs_codes[1]"),
            ({"hs_codes": ["８４８６"]}, "hs_codes[0]"),
            ({"items": [{"list": "wassenaar", "entry": "3b001"}]}, "items[0].entry"),
            ({"items": [{"list": "wassenaar", "entry": "3B001; DROP TABLE"}]}, "items[0].entry"),
            ({"items": [{"list": "cocom", "entry": "3B001"}]}, "items[0].list"),
            ({"items": ["3B001"]}, "items[0]"),
            ({"items": [], "hs_codes": []}, "items"),
            ({"takes_effect": "2020-01-01", "adopted_on": "2020-02-01"}, "takes_effect"),
            ({"ends_on": "2020-01-01"}, "ends_on"),
            ({"adopted_on": None}, "adopted_on"),
            ({"kind": "suspended"}, "kind"),
            ({"legal_basis": "   "}, "legal_basis"),
        ],
    )
    def test_a_bad_measure_is_refused_naming_the_field(self, members, changes, field):
        with pytest.raises(Invalid) as refused:
            registers.create(members["jp_secretariat"], "export_controls", measure(**changes))
        assert field in refused.value.fields, refused.value.fields
        assert not ExportControl.objects.exists()

    def test_codes_are_stored_in_one_form(self, members):
        entry = registers.create(
            members["jp_secretariat"], "export_controls", measure(hs_codes=["8542.31.00"])
        )
        assert entry.hs_codes == ["85423100"]


# --- who reads: TLP -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestTlp:
    def test_each_level_is_read_by_whom_the_one_tlp_rule_says(self, members):
        author = members["jp_secretariat"]
        made = {
            level: registers.create(author, "investments", plan(firm=f"Firm {level}", tlp=level))
            for level in ("clear", "green", "amber", "red")
        }
        named = registers.create(
            author, "investments", plan(firm="Named", tlp="red", recipients=["eu-dg-grow"])
        )

        def seen(user):
            return {entry.firm for entry in register_queries.investments(user)}

        assert seen(author) == {"Firm clear", "Firm green", "Firm amber", "Firm red", "Named"}
        assert seen(members["eu_secretariat"]) == {"Firm clear", "Firm green"}
        assert seen(members["eu_lead"]) == {"Firm clear", "Firm green", "Named"}
        assert seen(members["eu_stakeholder"]) == {"Firm clear"}  # not of the community
        with pytest.raises(NotFound):
            register_queries.entry(members["eu_secretariat"], "investments", made["amber"].uid)
        assert register_queries.entry(members["eu_lead"], "investments", named.uid).entry.firm == "Named"

    def test_the_public_reads_nothing(self, members):
        from django.contrib.auth.models import AnonymousUser

        registers.create(members["jp_secretariat"], "investments", plan(tlp="clear"))
        with pytest.raises(PermissionDenied):
            register_queries.investments(AnonymousUser())


# --- the matrix on the API and the pages ----------------------------------------------------------


@pytest.mark.django_db
class TestMatrix:
    def test_api(self, members):
        client = Client()
        body = json.dumps(plan())
        assert client.get(f"{API}/investments").status_code == 401
        assert client.post(f"{API}/investments", body, content_type="application/json").status_code == 401
        for who in ("jp_stakeholder", "eu_member_state"):
            answer = client.post(
                f"{API}/investments", body, content_type="application/json", **bearer(members[who])
            )
            assert answer.status_code == 403, answer.content
        created = client.post(
            f"{API}/investments", body, content_type="application/json", **bearer(members["jp_secretariat"])
        )
        assert created.status_code == 201, created.content
        uid = created.json()["uid"]
        assert created.json()["revisions"][0]["revision"] == 1
        # The other party: an AMBER entry it is not named in is not there for it (404), and cannot be revised.
        path = f"{API}/investments/{uid}"
        assert client.get(path, **bearer(members["eu_secretariat"])).status_code == 404
        other = client.put(path, body, content_type="application/json", **bearer(members["eu_secretariat"]))
        assert other.status_code == 404
        assert client.put(path, body, content_type="application/json").status_code == 401
        revised = client.put(
            path,
            json.dumps({**plan(status="producing"), "revision": 1}),
            content_type="application/json",
            **bearer(members["jp_secretariat"]),
        )
        assert revised.status_code == 200 and revised.json()["revision"] == 2
        assert revised.json()["revisions"][0]["changed"] == ["status"]
        stale = client.put(
            path,
            json.dumps({**plan(status="paused"), "revision": 1}),
            content_type="application/json",
            **bearer(members["jp_secretariat"]),
        )
        assert stale.status_code == 409
        bad = client.post(
            f"{API}/investments",
            json.dumps(plan(amount="-5")),
            content_type="application/json",
            **bearer(members["jp_secretariat"]),
        )
        assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"amount": "must not be negative."}
        listed = client.get(f"{API}/investments?status=producing", **bearer(members["jp_secretariat"])).json()
        assert [item["uid"] for item in listed["items"]] == [uid]

    def test_export_controls_on_the_api_other_party_reads_green(self, members):
        client = Client()
        created = client.post(
            f"{API}/export-controls",
            json.dumps(measure()),
            content_type="application/json",
            **bearer(members["jp_secretariat"]),
        )
        assert created.status_code == 201, created.content
        found = client.get(
            f"{API}/export-controls/{created.json()['uid']}", **bearer(members["eu_lead"])
        ).json()
        assert found["late"] is False and found["content"]["hs_codes"] == ["848620", "848640"]
        listed = client.get(f"{API}/export-controls?item=8486", **bearer(members["eu_lead"])).json()
        assert listed["count"] == 1
        assert (
            client.get(f"{API}/export-controls?item=3B001", **bearer(members["eu_lead"])).json()["count"] == 1
        )
        assert (
            client.get(f"{API}/export-controls?item=3A090", **bearer(members["eu_lead"])).json()["count"] == 0
        )

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_pages(self, members, language):
        entry = registers.create(members["jp_secretariat"], "investments", plan(tlp="amber"))
        control = registers.create(members["jp_secretariat"], "export_controls", measure())
        anonymous = Client()
        for path in ("supply-chain/investments/", f"supply-chain/investments/{entry.uid}/"):
            assert anonymous.get(f"/{language}/{path}").status_code == 302  # to sign in
        owner = Client()
        owner.force_login(members["jp_secretariat"])
        page = owner.get(f"/{language}/supply-chain/investments/{entry.uid}/")
        assert page.status_code == 200 and "Rapidus" in page.content.decode()
        listed = owner.get(f"/{language}/supply-chain/export-controls/").content.decode()
        assert control.title in listed
        other = Client()
        other.force_login(members["eu_secretariat"])
        assert other.get(f"/{language}/supply-chain/investments/{entry.uid}/").status_code == 404
        assert "Rapidus" not in other.get(f"/{language}/supply-chain/investments/").content.decode()
        assert other.get(f"/{language}/supply-chain/export-controls/{control.uid}/").status_code == 200


# --- notification ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
class TestNotification:
    def test_a_measure_signed_after_the_day_it_took_effect_is_late(self, members):
        past = (timezone.now().date() - datetime.timedelta(days=3)).isoformat()
        adopted = (timezone.now().date() - datetime.timedelta(days=30)).isoformat()
        late = registers.create(
            members["eu_secretariat"], "export_controls", measure(adopted_on=adopted, takes_effect=past)
        )
        today = timezone.now().date().isoformat()
        on_time = registers.create(
            members["eu_secretariat"], "export_controls", measure(adopted_on=adopted, takes_effect=today)
        )
        assert ExportControl.objects.get(pk=late.pk).late is True
        assert ExportControl.objects.get(pk=on_time.pk).late is False
        flagged = register_queries.export_controls(
            members["jp_secretariat"], register_queries.ExportControlFilters(late=True)
        )
        assert [entry.uid for entry in flagged] == [late.uid]
        # A correction after it took effect is not a late notice; moving the day into the past is.
        registers.revise(
            members["eu_secretariat"],
            "export_controls",
            on_time.uid,
            measure(adopted_on=adopted, takes_effect=today, title="Corrected title"),
        )
        assert ExportControl.objects.get(pk=on_time.pk).late is False
        registers.revise(
            members["eu_secretariat"],
            "export_controls",
            on_time.uid,
            measure(adopted_on=adopted, takes_effect=past, title="Corrected title"),
        )
        assert ExportControl.objects.get(pk=on_time.pk).late is True

    def test_the_deadline_is_the_end_of_the_day_in_the_partys_zone(self):
        deadline = registers.notice_deadline("JP", datetime.date(2026, 3, 1))
        assert deadline == datetime.datetime(2026, 3, 1, 15, 0, tzinfo=datetime.UTC)
        assert registers.is_late("JP", datetime.date(2026, 3, 1), deadline, None) is False
        assert (
            registers.is_late(
                "JP", datetime.date(2026, 3, 1), deadline, deadline + datetime.timedelta(seconds=1)
            )
            is True
        )

    def test_upcoming_measures_are_listed(self, members):
        soon = registers.create(members["jp_secretariat"], "export_controls", measure(tlp="clear"))
        later = (timezone.now().date() + datetime.timedelta(days=45)).isoformat()
        registers.create(
            members["jp_secretariat"], "export_controls", measure(tlp="clear", takes_effect=later)
        )
        assert [entry.uid for entry in register_queries.upcoming(members["eu_secretariat"])] == [soon.uid]

    def test_subscribers_of_the_other_party_are_mailed_in_their_language_if_they_may_read(self, members):
        from partnership.people.models import Membership

        Membership.objects.filter(user=members["eu_lead"]).update(language="ja")
        for who in ("eu_lead", "eu_secretariat", "jp_lead", "eu_stakeholder"):
            members[who].email = f"{who}@example.org"
            members[who].save()
            registers.subscribe(members[who], "export_controls", True)
        mail.outbox.clear()
        registers.create(members["jp_secretariat"], "export_controls", measure(tlp="green"))
        mailed = {message.to[0]: message for message in mail.outbox}
        # The JP lead is of the author's party; the stakeholder is outside the TLP:GREEN community.
        assert set(mailed) == {"eu_lead@example.org", "eu_secretariat@example.org"}
        assert "輸出管理" in mailed["eu_lead@example.org"].subject
        assert "export controls" in mailed["eu_secretariat@example.org"].subject
        registers.subscribe(members["eu_secretariat"], "export_controls", False)
        mail.outbox.clear()
        registers.create(
            members["jp_secretariat"], "export_controls", measure(tlp="red", recipients=["eu-dg-grow"])
        )
        assert [message.to[0] for message in mail.outbox] == ["eu_lead@example.org"]

    def test_only_a_reader_of_the_registers_subscribes_and_mail_goes_to_who_may_read_it_now(self, members):
        """A platform's account reads no register: it could subscribe (page and API) and was then mailed
        every TLP:GREEN measure, taken for the community. Each mail is decided as things stand: the
        entry's level now, the subscriber's access now."""
        from partnership.people.models import Membership, Organisation, Party
        from partnership.people.services import create_member

        organisation = Organisation.objects.create(
            code="eu-a-platform",
            party=Party.objects.get(code="EU"),
            kind="platform",
            name_en="P",
            name_ja="P",
        )
        platform = create_member("eu-a-platform", "a-long-password-1", organisation, "platform")
        put = Client().put(
            f"{API}/subscriptions/export_controls",
            '{"on": true}',
            content_type="application/json",
            **bearer(platform),
        )
        assert (
            put.status_code == 403
            and "registers are for the partnership's members" in put.json()["error"]["message"]
        )
        page = Client()
        page.force_login(platform)
        assert page.post("/en/supply-chain/subscriptions/export_controls/", {"on": "1"}).status_code == 403
        with pytest.raises(PermissionDenied):
            registers.subscribe(platform, "investments", True)
        assert registers.subscriptions(platform) == set()
        for who in ("eu_lead", "eu_secretariat", "eu_member_state"):
            members[who].email = f"{who}@example.org"
            members[who].save()
            registers.subscribe(members[who], "export_controls", True)
        # The member state's account now files for a platform; the secretariat's left the partnership.
        Membership.objects.filter(user=members["eu_member_state"]).update(role="platform")
        Membership.objects.filter(user=members["eu_secretariat"]).delete()
        mail.outbox.clear()
        entry = registers.create(members["jp_secretariat"], "export_controls", measure(tlp="green"))
        assert [message.to[0] for message in mail.outbox] == ["eu_lead@example.org"]
        # The level raised to TLP:RED naming another body: the lead no longer reads it, nor is told.
        mail.outbox.clear()
        registers.revise(
            members["jp_secretariat"],
            "export_controls",
            entry.uid,
            measure(tlp="red", recipients=["eu-member-states"]),
        )
        assert mail.outbox == []


# --- a peer's records ---------------------------------------------------------------------------------


def clear_record(uid, revision=1, **changes):
    """A peer's TLP:CLEAR record of a measure, as `register_records.share` writes it."""
    entry = registers.clean_export_control(measure(tlp="clear", **changes))
    return {"uid": str(uid), "revision": revision, "tlp": "clear", "entry": entry}


@pytest.mark.django_db
class TestPeerRecords:
    @pytest.fixture(autouse=True)
    def jp_node(self, settings):
        settings.NODE_PARTY = "JP"

    def test_a_peer_measure_applies_once_read_only_with_its_receipt(self, members, peer_log):
        import uuid

        from partnership.exchanges.supply_chain import register_records

        uid = uuid.uuid4()
        first = peer_log(register_records.EXPORT_CONTROL, clear_record(uid))
        register_records.apply_export_control(*first)
        register_records.apply_export_control(*first)  # again: nothing changes
        register_records.apply_export_control(
            *peer_log(register_records.EXPORT_CONTROL, clear_record(uid, 2, kind="amended"))
        )
        held = ExportControl.objects.get(uid=uid)
        assert (held.signed_by, held.party.code, held.revision, held.kind) == ("EU", "EU", 2, "amended")
        assert held.received_at is not None and held.late is False
        assert held.revisions.count() == 2
        with pytest.raises(PermissionDenied):
            registers.revise(members["eu_secretariat"], "export_controls", uid, measure(tlp="clear"))

    @pytest.mark.parametrize(
        "content",
        [
            {"uid": "not-a-uid", "revision": 1, "tlp": "clear", "entry": {}},
            {"revision": 1, "tlp": "clear"},
            {"uid": "6f1c1f86-52b5-4b8e-a2f4-3c1d0b2c9a11", "revision": 0, "tlp": "clear"},
            {"uid": "6f1c1f86-52b5-4b8e-a2f4-3c1d0b2c9a11", "revision": 1, "tlp": "black"},
            {"uid": "6f1c1f86-52b5-4b8e-a2f4-3c1d0b2c9a11", "revision": 1, "tlp": "amber", "sealed": "x"},
            {
                "uid": "6f1c1f86-52b5-4b8e-a2f4-3c1d0b2c9a11",
                "revision": 1,
                "tlp": "amber",
                "sealed": {"JP": {}},
            },
        ],
    )
    def test_a_malformed_peer_record_is_rejected(self, members, peer_log, content):
        from partnership.exchanges.supply_chain import register_records
        from partnership.ledger.registry import RecordRejected

        with pytest.raises(RecordRejected):
            register_records.apply_export_control(*peer_log(register_records.EXPORT_CONTROL, content))
        assert not ExportControl.objects.exists()

    def test_a_peer_entry_checked_as_input_and_its_level_bound_to_the_record(self, members, peer_log):
        import uuid

        from partnership.exchanges.supply_chain import register_records
        from partnership.ledger.registry import RecordRejected

        bad = clear_record(uuid.uuid4())
        bad["entry"]["hs_codes"] = ["85"]
        with pytest.raises(RecordRejected, match="hs_codes"):
            register_records.apply_export_control(*peer_log(register_records.EXPORT_CONTROL, bad))
        downgraded = clear_record(uuid.uuid4())
        downgraded["entry"]["tlp"] = "red"  # the record says CLEAR, the entry RED: refused
        with pytest.raises(RecordRejected, match="tlp"):
            register_records.apply_export_control(*peer_log(register_records.EXPORT_CONTROL, downgraded))

    def test_a_peer_cannot_overwrite_this_nodes_entry_nor_write_for_another_party(self, members, peer_log):
        from partnership.exchanges.supply_chain import register_records
        from partnership.ledger.registry import RecordRejected

        mine = registers.create(members["jp_secretariat"], "export_controls", measure(tlp="clear"))
        with pytest.raises(RecordRejected):
            register_records.apply_export_control(
                *peer_log(register_records.EXPORT_CONTROL, clear_record(mine.uid, 2, title="Overwritten"))
            )
        with pytest.raises(RecordRejected):
            register_records.apply_export_control(
                *peer_log(register_records.EXPORT_CONTROL, clear_record(mine.uid, 1), organisation="jp-meti")
            )
        assert ExportControl.objects.get(uid=mine.uid).title == measure()["title"]

    def test_an_entry_sealed_only_to_another_partys_node_is_not_for_this_one(self, members, peer_log):
        import uuid

        from partnership.exchanges.supply_chain import register_records

        content = {"uid": str(uuid.uuid4()), "revision": 1, "tlp": "amber", "sealed": {"KR": {"to": "KR"}}}
        register_records.apply_export_control(*peer_log(register_records.EXPORT_CONTROL, content))
        assert not ExportControl.objects.exists()


@pytest.mark.django_db
def test_register_pages_make_as_many_queries_for_many_entries_as_for_one(members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = Client()
    owner.force_login(members["eu_lead"])
    author = members["jp_secretariat"]
    registers.create(author, "investments", plan(tlp="green"))
    registers.create(author, "export_controls", measure())

    def counted(path):
        with CaptureQueriesContext(connection) as queries:
            assert owner.get(path).status_code == 200
        return len(queries)

    paths = ["/en/supply-chain/investments/", "/en/supply-chain/export-controls/"]
    before = [counted(path) for path in paths]
    for n in range(20):
        registers.create(author, "investments", plan(firm=f"Firm {n}", tlp="green"))
        registers.create(author, "export_controls", measure(title=f"Measure {n}", tlp="clear"))
    assert [counted(path) for path in paths] == before
    page = owner.get("/en/supply-chain/investments/").content.decode()
    assert "25,000 wafers per month" in page and "5,000,000,000,000 JPY" in page


@pytest.mark.django_db
def test_subscriptions_on_the_api(members):
    client = Client()
    path = f"{API}/subscriptions"
    assert client.get(path).status_code == 401
    assert (
        client.put(f"{path}/investments", '{"on": true}', content_type="application/json").status_code == 401
    )
    headers = bearer(members["eu_member_state"])  # any member may be mailed what they may read
    answer = client.put(f"{path}/export_controls", '{"on": true}', content_type="application/json", **headers)
    assert answer.status_code == 200 and answer.json() == {"investments": False, "export_controls": True}
    wrong = client.put(f"{path}/alerts", '{"on": true}', content_type="application/json", **headers)
    assert wrong.status_code == 422 and "register" in wrong.json()["error"]["fields"]
    assert client.get(path, **headers).json()["export_controls"] is True
