"""Slack members and Watchkeeper users, matched by email address in both directions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from watchkeeper.slackapp.models import SlackUser

# Long enough that a busy incident asks Slack once per person, short enough that a changed email is noticed.
FRESH_FOR = timedelta(hours=12)


class UnknownPerson(Exception):
    """A Slack member with no Watchkeeper account: they are told how to get one."""

    def __init__(self, email: str) -> None:
        self.email = email
        where = f"with the email address {email}" if email else "with the email address you use in Slack"
        super().__init__(
            f"Watchkeeper does not know you yet. Ask a Watchkeeper admin to add a user {where} "
            f"(or sign in once at {settings.SITE_URL}/ with single sign-on), then try again."
        )


def _user_with_email(email: str) -> User | None:
    users = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
    # Two accounts sharing an address cannot be told apart, so neither is chosen.
    return users[0] if len(users) == 1 else None  # type: ignore[return-value]


def acting_user(client: WebClient, slack_id: str) -> User:
    """The Watchkeeper user behind a Slack member, or UnknownPerson."""
    known = SlackUser.objects.select_related("user").filter(slack_id=slack_id).first()
    if known and known.user.is_active and known.checked_at > timezone.now() - FRESH_FOR:
        return known.user
    profile = client.users_info(user=slack_id)["user"]["profile"]
    email = str(profile.get("email") or "")
    user = _user_with_email(email) if email else None
    if user is None:
        raise UnknownPerson(email)
    SlackUser.objects.update_or_create(
        slack_id=slack_id, defaults={"user": user, "email": email, "checked_at": timezone.now()}
    )
    return user


def slack_id_for(client: WebClient, user: User) -> str | None:
    """The Slack member with this user's email, to invite them to a channel; None if Slack has nobody."""
    known = SlackUser.objects.filter(user=user, checked_at__gt=timezone.now() - FRESH_FOR).first()
    if known:
        return known.slack_id
    if not user.email:
        return None
    try:
        member = client.users_lookupByEmail(email=user.email)["user"]
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
    slack_id = str(member["id"])
    SlackUser.objects.update_or_create(
        slack_id=slack_id, defaults={"user": user, "email": user.email, "checked_at": timezone.now()}
    )
    return slack_id


def display_name(client: WebClient, slack_id: str) -> str:
    """How a message's author is named on the timeline: their Watchkeeper username if they have one."""
    known = SlackUser.objects.select_related("user").filter(slack_id=slack_id).first()
    if known:
        return known.user.get_username()
    try:
        member = client.users_info(user=slack_id)["user"]
    except SlackApiError:
        return slack_id
    profile = member.get("profile", {})
    user = _user_with_email(profile["email"]) if profile.get("email") else None
    if user is not None:
        return user.get_username()
    return str(profile.get("display_name") or profile.get("real_name") or member.get("name") or slack_id)
