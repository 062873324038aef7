"""An admin turns a service's incident channels on and off on a GOV.UK page, not in the Django admin."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_service, make_user
from watchkeeper.slackapp.models import ChannelPolicy

pytestmark = pytest.mark.django_db


def signed_in(username: str, *groups: str) -> Client:
    make_user(username, *groups)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_an_admin_turns_channels_on_with_people_to_invite_and_off_again() -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    url = f"/slack/services/{service.slug}/channels"
    assert url in admin.get(f"/catalogue/services/{service.slug}/").content.decode()
    assert 'value="no" checked' in admin.get(url).content.decode()

    response = admin.post(url, {"create_channels": "yes", "invite": "U024BE7LH,  U0G9QF9C6\nU024BE7LH"})
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/services/{service.slug}/"
    policy = ChannelPolicy.objects.get(service=service)
    # Stored as channels.invite reads it: commas, no spaces, each person once.
    assert (policy.create_channels, policy.invite) == (True, "U024BE7LH,U0G9QF9C6")
    shown = admin.get(url).content.decode()
    assert 'value="yes" checked' in shown and "U024BE7LH, U0G9QF9C6" in shown

    assert admin.post(url, {"create_channels": "no", "invite": ""}).status_code == 302
    policy.refresh_from_db()
    assert (policy.create_channels, policy.invite) == (False, "")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"invite": "U024BE7LH"}, "Select whether each incident gets its own Slack channel"),
        ({"create_channels": "yes", "invite": "U024BE7LH, @ada"}, "@ada is not a Slack member ID"),
        ({"create_channels": "yes", "invite": "U024BE7LH," * 60}, "Enter at most 500 characters of member IDs"),
    ],
)
def test_bad_answers_show_in_the_error_summary_and_change_nothing(answers: dict[str, str], message: str) -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    response = admin.post(f"/slack/services/{service.slug}/channels", answers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and message in body
    assert not ChannelPolicy.objects.exists()


def test_only_admins_reach_the_page_and_anonymous_people_sign_in_first() -> None:
    service = make_service("pay", name="Pay")
    url = f"/slack/services/{service.slug}/channels"
    responder = signed_in("ada", "responder")
    assert responder.get(url).status_code == 403
    assert responder.post(url, {"create_channels": "yes"}).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in")
    assert not ChannelPolicy.objects.exists()
    assert signed_in("root", "admin").get("/slack/services/nope/channels").status_code == 404
