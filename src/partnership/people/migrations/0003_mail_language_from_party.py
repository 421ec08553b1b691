"""Members who never chose their mail language (not invited: made by `create_member` or the demo) get
their party's: Japanese for Japan, English for the EU (issue 15). An invitee's choice stays."""

from django.db import migrations


def from_party(apps, schema_editor):
    Membership = apps.get_model("people", "Membership")
    for membership in Membership.objects.filter(invited_at__isnull=True).select_related("organisation__party"):
        party = membership.organisation.party
        language = next((code for code in (party.languages if party else []) if code in ("en", "ja")), "en")
        if membership.language != language:
            membership.language = language
            membership.save(update_fields=["language"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_onboarding")]

    operations = [migrations.RunPython(from_party, migrations.RunPython.noop)]
