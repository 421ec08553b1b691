"""The contract test of supply-chain monitoring (docs/adding-an-exchange.md, step 17)."""

import uuid

from django.utils import timezone

from partnership.exchanges.supply_chain import services
from partnership.exchanges.supply_chain.contract import SupplyChain
from partnership.exchanges.supply_chain.models import Observation, Release, Series
from tests.exchange_contract import ExchangeContract, Sample, Write

API = "/api/v1/supply-chain/series"


def monthly(start_year: int, months: int, level: float = 100.0) -> list[dict]:
    """`months` monthly observations from January of `start_year`."""
    return [
        {"date": f"{start_year + n // 12}-{n % 12 + 1:02d}-01", "value": f"{level + n % 7:.1f}"}
        for n in range(months)
    ]


def held() -> int:
    """Every series revision, release and observation: each write adds to one of them."""
    return (
        sum(Series.objects.values_list("revision", flat=True))
        + Release.objects.count()
        + Observation.objects.count()
    )


class TestSupplyChainContract(ExchangeContract):
    exchange_class = SupplyChain
    cycle_year = timezone.now().year

    def sample_data(self, members, tmp_path) -> Sample:
        from partnership.people.services import create_token

        owner = members["jp_secretariat"]
        description = {
            "title": "Shipments of electronic parts",
            "unit": "index 2020=100",
            "frequency": "monthly",
        }
        first = services.import_observations(owner, "JP-SHIP", monthly(2015, 24), description).series

        def more(count: int) -> None:
            for n in range(count):
                services.import_observations(
                    owner, f"JP-MORE-{n}", monthly(2000, 12), {"frequency": "monthly"}
                )
                services.import_observations(owner, "JP-SHIP", monthly(2015, 24, level=200.0 + n), {})

        return Sample(
            owner=owner,
            other_party=members["eu_secretariat"],
            pages=["supply-chain/", f"supply-chain/{first.uid}/"],
            count=held,
            more=more,
            protected=[API, f"{API}/{first.uid}"],
            writes=[
                Write(
                    "post", f"{API}/{first.uid}/observations", {"observations": monthly(2017, 3, level=300.0)}
                ),
                Write("put", f"{API}/{first.uid}", {"title": "Shipments of electronic parts and devices"}),
            ],
            service_writes=[
                lambda user: services.import_observations(user, None, monthly(2018, 2), uid=first.uid),
            ],
            missing=[f"{API}/{uuid.uuid4()}", f"{API}/not-a-uid"],
            auth=lambda user: {"Authorization": "Bearer " + create_token(user, "test")[1]},
        )

    def author_on_peer(self, node) -> str:
        body = {"code": "JP-ROUND-TRIP", "title": "Round trip", "unit": "units", "frequency": "monthly"}
        uid = node.post(API, node.secretariat_token, body)["uid"]
        node.post(f"{API}/{uid}/observations", node.secretariat_token, {"observations": monthly(2020, 3)})
        node.post(
            f"{API}/{uid}/observations",
            node.secretariat_token,
            {"observations": [{"date": "2020-03-01", "value": "99.5"}]},
        )
        return uid

    def assert_received(self, authored: str) -> None:
        import pytest
        from django.core.exceptions import PermissionDenied

        from partnership.people.models import Organisation
        from partnership.people.services import create_member

        copy = Series.objects.get(uid=authored)
        assert (copy.signed_by, copy.party.code, copy.code, copy.unit) == (
            "JP",
            "JP",
            "JP-ROUND-TRIP",
            "units",
        )
        assert copy.releases.count() == 2
        latest = dict(Observation.objects.filter(series=copy, is_latest=True).values_list("date", "value"))
        assert [latest[d] for d in sorted(latest)] == [100.0, 101.0, 99.5]
        earlier = Observation.objects.filter(series=copy, is_latest=False).values_list("value", flat=True)
        assert list(earlier) == [102.0]  # the first release's value of March is kept as a vintage
        # Read-only here, even for the JP secretariat's members: it changes on the JP node only.
        author = create_member(
            "jp-reader",
            "a-long-password-1",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        with pytest.raises(PermissionDenied):
            services.import_observations(author, None, monthly(2021, 1), uid=copy.uid)
