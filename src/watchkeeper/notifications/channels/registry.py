"""Which transport sends each kind of channel. Apart from the package, so the transports can import its interface
without the package importing them back."""

from __future__ import annotations

from watchkeeper.notifications.channels import Transport, email, notify, slack, teams, webhook


def transport_for(kind: str) -> Transport:
    transports: dict[str, Transport] = {
        "slack": slack.SlackTransport(),
        "slack_webhook": slack.SlackWebhookTransport(),
        "teams": teams.TeamsTransport(),
        "email": email.EmailTransport(),
        "notify_email": notify.NotifyTransport(),
        "notify_sms": notify.NotifyTransport(),
        "webhook": webhook.WebhookTransport(),
    }
    return transports[kind]
