# A subscriber hears by email, text or webhook: its "medium", so "channel" means only a notification channel.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("statuspage", "0004_subscriber_messages"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="subscriber",
            name="one_email_subscriber",
        ),
        migrations.RemoveConstraint(
            model_name="subscriber",
            name="one_webhook_per_endpoint",
        ),
        migrations.RemoveConstraint(
            model_name="subscriber",
            name="one_sms_subscriber",
        ),
        migrations.RemoveConstraint(
            model_name="subscribermessage",
            name="one_delivery_per_update",
        ),
        migrations.RenameField(
            model_name="subscriber",
            old_name="channel",
            new_name="medium",
        ),
        migrations.RenameField(
            model_name="subscribermessage",
            old_name="channel",
            new_name="medium",
        ),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(
                condition=models.Q(("medium", "email")), fields=("email",), name="one_email_subscriber"
            ),
        ),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(
                condition=models.Q(("medium", "webhook")), fields=("email", "endpoint"), name="one_webhook_per_endpoint"
            ),
        ),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(
                condition=models.Q(("medium", "sms")), fields=("phone",), name="one_sms_subscriber"
            ),
        ),
        migrations.AddConstraint(
            model_name="subscribermessage",
            constraint=models.UniqueConstraint(
                fields=("update", "subscriber", "medium", "purpose"), name="one_delivery_per_update"
            ),
        ),
    ]
