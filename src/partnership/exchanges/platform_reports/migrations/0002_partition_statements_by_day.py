"""On PostgreSQL, the statements table becomes a table partitioned by the day received (declarative
partitioning); SQLite, the embedded default, keeps the plain table of 0001.

A partitioned table's primary key must hold its partition key, so it is (received_on, uuid); Django
still addresses rows by uuid alone (the model's primary key), which the PostgreSQL key implies unique
in practice: uuids are random past their timestamp. The per-day partitions are created as statements
arrive (`storage.ensure_partition`).
"""

from django.db import migrations

PARTITIONED = """
DROP TABLE platform_reports_statement;
CREATE TABLE platform_reports_statement (
    uuid uuid NOT NULL,
    platform_id bigint NOT NULL
        REFERENCES people_organisation (id) DEFERRABLE INITIALLY DEFERRED,
    puid varchar(500) NOT NULL,
    received_at timestamp with time zone NOT NULL,
    received_on date NOT NULL,
    application_date date NOT NULL,
    content_date date NOT NULL,
    category varchar(80) NOT NULL,
    decision_ground varchar(40) NOT NULL,
    source_type varchar(40) NOT NULL,
    automated_detection boolean NOT NULL,
    automated_decision varchar(40) NOT NULL,
    content jsonb NOT NULL,
    PRIMARY KEY (received_on, uuid)
) PARTITION BY RANGE (received_on);
CREATE INDEX platform_reports_by_platform ON platform_reports_statement (platform_id, uuid);
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PARTITIONED)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE platform_reports_statement CASCADE")
        schema_editor.create_model(apps.get_model("platform_reports", "Statement"))


class Migration(migrations.Migration):
    dependencies = [("platform_reports", "0001_initial")]

    operations = [migrations.RunPython(partition, unpartition)]
