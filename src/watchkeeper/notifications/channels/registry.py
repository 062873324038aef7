"""Which transport sends each kind of channel. Apart from the package, so the transports can import its interface
without the package importing them back."""

from __future__ import annotations

from watchkeeper.notifications.channels import Transport, email, notify, oncall, slack, teams, webhook


def transport_for(kind: str) -> Transport:
    transports: dict[str, Transport] = {
        "slack": slack.SlackTransport(),
        "slack_webhook": slack.SlackWebhookTransport(),
        "teams": teams.TeamsTransport(),
        "email": email.EmailTransport(),
        "notify_email": notify.NotifyTransport(),
        "notify_sms": notify.NotifyTransport(),
        "webhook": webhook.WebhookTransport(),
        "oncall": oncall.UnreachableTransport(),
    }
    return transports[kind]
