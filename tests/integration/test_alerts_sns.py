"""CloudWatch alarms through SNS: the subscription handshake, signatures v1 and v2 checked against a certificate a
local server serves, the certificate host checked, ALARM triggers and OK resolves on the AlarmArn."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.factories import make_integration
from tests.fakes.sns import FakeSns
from watchkeeper.alerts import sns
from watchkeeper.alerts.models import Alert, AlertGroup, Integration

pytestmark = pytest.mark.django_db


@pytest.fixture
def amazon(settings) -> Iterator[FakeSns]:
    fake = FakeSns()
    settings.ALERTS_SNS_TEST_HOST = fake.host
    yield fake
    fake.close()


def post(client, key: str, message: dict[str, object]):
    # SNS posts JSON as text/plain; the endpoint reads the body whatever the Content-Type.
    return client.post(f"/alerts/sns/{key}", json.dumps(message), content_type="text/plain; charset=UTF-8")


def test_subscription_confirmation_and_alarms(client, amazon) -> None:
    _integration, key = make_integration(kind="sns")
    response = post(client, key, amazon.confirmation())
    assert response.status_code == 200 and len(amazon.confirmed) == 1 and "Token=" in amazon.confirmed[0]
    assert post(client, key, amazon.alarm("ALARM", version="1")).status_code == 202
    assert post(client, key, amazon.alarm("ALARM", version="2")).status_code == 202, "a resend is no change"
    alert = Alert.objects.get()
    assert alert.dedup_key.endswith(":alarm:api-5xx") and alert.status == "firing"
    assert post(client, key, amazon.alarm("INSUFFICIENT_DATA")).status_code == 202
    assert post(client, key, amazon.alarm("OK", version="2")).status_code == 202
    alert.refresh_from_db()
    assert alert.status == "resolved" and AlertGroup.objects.get().status == "resolved"


def test_forged_or_misdirected_messages_are_refused_and_counted(client, amazon, settings) -> None:
    integration, key = make_integration(kind="sns")
    forged = amazon.alarm("ALARM")
    forged["Message"] = forged["Message"].replace("api-5xx", "api-5xy")
    response = post(client, key, forged)
    assert response.status_code == 403 and response.json()["errors"] == ["Signature: does not match the message"]
    other_host = {**amazon.alarm("ALARM"), "SigningCertURL": "https://evil.example.com/cert.pem"}
    response = post(client, key, other_host)
    assert response.status_code == 403 and "sns.eu-west-2.amazonaws.com" in response.json()["errors"][0]
    settings.ALERTS_SNS_TEST_HOST = ""
    response = post(client, key, amazon.alarm("ALARM"))
    assert response.status_code == 403, "without the test setting only Amazon's own host is trusted"
    assert not Alert.objects.exists()
    assert Integration.objects.get(pk=integration.pk).refusals == 3


def test_the_certificate_host_rule() -> None:
    sns.check_amazon_url("https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-abc.pem", "eu-west-2", "u")
    for url in (
        "http://sns.eu-west-2.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.eu-west-2.amazonaws.com.evil.example/x.pem",
        "https://sns.eu-west-2.amazonaws.com:8443/x.pem",
    ):
        with pytest.raises(sns.Forged):
            sns.check_amazon_url(url, "eu-west-2", "SigningCertURL")
