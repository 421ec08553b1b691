"""Responsible-filer designations become signed records (uid, designating party, revision, revocation,
ledger entry; one in force per cable), the party profile counts its revisions, and the outage list reads
its newest reports from an index."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

# filers.NAMESPACE, written out: a migration must not change when the app's code does.
NAMESPACE = uuid.UUID("5f0c3d52-7a61-4c1e-9d0b-2f64a1c8e417")


def fill_designations(apps, schema_editor):
    ResponsibleFiler = apps.get_model("cable_outages", "ResponsibleFiler")
    for designation in ResponsibleFiler.objects.select_related("organisation__party", "cable"):
        party = designation.organisation.party
        designation.party = party
        designation.cable_slug = designation.cable.slug
        designation.cable_name = designation.cable.name
        designation.uid = uuid.uuid5(NAMESPACE, f"{party.code}:{designation.cable.slug}")
        designation.save()


class Migration(migrations.Migration):
    dependencies = [
        ("cable_outages", "0002_outage_partyprofile_responsiblefiler_outagestage"),
        ("ledger", "0004_replays_and_self_check"),
        ("people", "0005_alter_membership_role_alter_organisation_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="partyprofile",
            name="revision",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="party",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.party",
            ),
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="cable_slug",
            field=models.SlugField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="cable_name",
            field=models.CharField(default="", max_length=300),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="revision",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="responsiblefiler",
            name="ledger_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.logentry",
            ),
        ),
        migrations.AlterField(
            model_name="responsiblefiler",
            name="cable",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="responsible_filers",
                to="cable_outages.cable",
            ),
        ),
        migrations.RunPython(fill_designations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="responsiblefiler",
            name="uid",
            field=models.UUIDField(editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="responsiblefiler",
            name="party",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="people.party"
            ),
        ),
        migrations.AlterModelOptions(
            name="responsiblefiler",
            options={"ordering": ["cable_name", "pk"]},
        ),
        migrations.AddConstraint(
            model_name="responsiblefiler",
            constraint=models.UniqueConstraint(
                fields=("party", "cable_slug"), name="one_designation_per_party_cable"
            ),
        ),
        migrations.AddConstraint(
            model_name="responsiblefiler",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("cable_slug",),
                name="one_filer_in_force_per_cable",
            ),
        ),
        migrations.AddIndex(
            model_name="outage",
            index=models.Index(fields=["-detected_at", "-id"], name="outage_newest_first"),
        ),
    ]
