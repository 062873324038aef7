# The status page's deliveries are messages to subscribers: a name of their own, apart from notifications.Delivery.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("statuspage", "0003_snapshot_versions"),
    ]

    operations = [
        migrations.RenameModel(
            old_name="Delivery",
            new_name="SubscriberMessage",
        ),
        migrations.RenameIndex(
            model_name="subscribermessage",
            new_name="statuspage__update__d46b20_idx",
            old_name="statuspage__update__2cbc7c_idx",
        ),
    ]
