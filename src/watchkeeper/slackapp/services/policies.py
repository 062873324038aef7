"""Which services give each incident a Slack channel of its own, and who is invited to every one of them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from watchkeeper.catalogue.models import Service
from watchkeeper.slackapp.models import ChannelPolicy

# A Slack member ID: U (or W, on Enterprise Grid) and then capital letters and digits, for example U024BE7LH.
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def member_ids(text: str) -> list[str]:
    """The member IDs in what an admin typed, split on commas, spaces or new lines; refused if one is not an ID."""
    ids = [part for part in re.split(r"[\s,]+", text.strip()) if part]
    wrong = [part for part in ids if not MEMBER_ID.fullmatch(part)]
    if wrong:
        raise ValidationError(
            {
                "invite": f"{', '.join(wrong)} is not a Slack member ID. Enter member IDs like U024BE7LH, "
                "separated by commas (in Slack: a person's profile, then Copy member ID)"
            }
        )
    return list(dict.fromkeys(ids))


@transaction.atomic
def set_channel_policy(service: Service, *, create_channels: bool, invite: str = "") -> ChannelPolicy:
    """Turns incident channels on or off for a service; channels.invite reads the IDs as stored here."""
    policy = ChannelPolicy.objects.filter(service=service).first() or ChannelPolicy(service=service)
    policy.create_channels = create_channels
    policy.invite = ",".join(member_ids(invite))
    policy.full_clean()
    policy.save()
    return policy
