"""factory_boy factories for progress data; they go through no permission check, so tests can set up
any state, and the tests of the rules call the services instead."""

import datetime

import factory
from django.utils import timezone

from partnership.people.models import Organisation, Party
from partnership.programme.models import Deliverable, Indicator, IndicatorValue, JointAction, ProgressUpdate


def _party(code: str) -> Party:
    return Party.objects.get(code=code)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.LazyFunction(lambda: JointAction.objects.get(paragraph=46))
    party = factory.LazyFunction(lambda: _party("JP"))
    period = factory.LazyFunction(lambda: timezone.now().year)
    version = factory.Sequence(lambda n: n + 1)
    status = "on_track"
    narrative = factory.Faker("sentence")
    language = "en"
    organisation = factory.LazyAttribute(
        lambda o: Organisation.objects.filter(party=o.party, kind="secretariat").first()
    )
    author = factory.SubFactory("tests.factories.UserFactory")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"

    username = factory.Sequence(lambda n: f"user{n}")


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    action = factory.LazyFunction(lambda: JointAction.objects.get(paragraph=46))
    party = factory.LazyFunction(lambda: _party("JP"))
    organisation = factory.LazyAttribute(
        lambda o: Organisation.objects.filter(party=o.party, kind="secretariat").first()
    )
    title = factory.Faker("sentence", nb_words=5)
    language = "en"
    due_date = factory.LazyFunction(lambda: timezone.now().date() + datetime.timedelta(days=30))
    status = "planned"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    action = factory.LazyFunction(lambda: JointAction.objects.get(paragraph=46))
    party = factory.LazyFunction(lambda: _party("JP"))
    organisation = factory.LazyAttribute(
        lambda o: Organisation.objects.filter(party=o.party, kind="secretariat").first()
    )
    title = "Expert meetings held"
    language = "en"
    unit = "meetings"
    baseline_value = 0
    baseline_year = 2022
    target_value = 12
    target_date = datetime.date(2027, 12, 31)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 1, 31)
    value = 3
    source = "secretariat records"
    recorded_by = factory.SubFactory(UserFactory)
