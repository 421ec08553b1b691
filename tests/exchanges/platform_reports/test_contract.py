"""The exchange contract of platform reports (docs/adding-an-exchange.md, step 17)."""

import datetime
import uuid

import pytest
from django.utils import timezone

from partnership.exchanges.platform_reports import samples, services
from partnership.exchanges.platform_reports.contract import PlatformReports
from partnership.exchanges.platform_reports.models import MonthlyRollup, Statement
from tests.exchange_contract import ExchangeContract, Sample, Write

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"


def platform(code: str, party: str):
    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member

    organisation = Organisation.objects.create(
        code=code, party=Party.objects.get(code=party), kind="platform", name_en=code, name_ja=code
    )
    return create_member(code, "a-long-password-1", organisation, "platform")


class TestPlatformReportsContract(ExchangeContract):
    exchange_class = PlatformReports
    cycle_year = timezone.now().year

    def sample_data(self, members, tmp_path) -> Sample:
        from partnership.people.services import create_token

        owner, other = platform("eu-platform", "EU"), platform("jp-platform", "JP")
        filed = {"n": 0}

        def more(count: int) -> None:
            for start in range(0, count, services.MAX_BATCH):
                size = min(services.MAX_BATCH, count - start)
                batch = samples.statements(size, seed=filed["n"], prefix=f"sample-{filed['n']}", days=5)
                services.file_statements(owner, {"statements": batch})
                filed["n"] += 1

        more(3)
        first = Statement.objects.order_by("uuid").first()
        new = samples.statements(1, seed=99, prefix="written", days=5)[0]
        return Sample(
            owner=owner,
            other_party=other,
            pages=[
                "platform-reports/",
                "platform-reports/platforms/eu-platform/",
                f"platform-reports/statements/{first.uuid}/",
            ],
            count=Statement.objects.count,
            more=more,
            protected=[f"{API}/statement/existing-puid/{first.puid}"],
            # Filing for the owner's platform: the other party's platform may file only for itself.
            writes=[Write("post", f"{API}/statements", {"platform": "eu-platform", "statements": [new]})],
            service_writes=[
                lambda user: services.file_statements(user, {"platform": "eu-platform", "statements": [new]})
            ],
            missing=[
                f"{API}/statement/{uuid.uuid4()}",
                f"{API}/statement/not-a-uuid",
                f"{API}/platforms/none/statements",
            ],
            auth=lambda user: {"Authorization": "Bearer " + create_token(user, "test")[1]},
        )

    def author_on_peer(self, node) -> str:
        today = timezone.now().date()
        last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        signed = node.post(f"{API}/months", node.secretariat_token, {"month": last_month})
        return next(month["uid"] for month in signed if month["platform"] == "jp-platform")

    def assert_received(self, authored: str) -> None:
        copy = MonthlyRollup.objects.get(uid=authored)
        assert (copy.signed_by, copy.party.code, copy.platform_code) == ("JP", "JP", "jp-platform")
        assert copy.statements == sum(copy.counts["category"].values())
