from django.db import migrations


def create_group(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.get_or_create(name="data_protection")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_groups")]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
