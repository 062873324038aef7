"""Replayed Slack requests are dropped: a signature is good for Bolt's whole 5-minute window, so a copy of a
request (from a log, a proxy, a retrying client) would otherwise run the command again and add a second note.

The signature is checked here first, so only a request Slack really signed is remembered; anything else goes on
to Bolt, which refuses it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from slack_sdk.signature import SignatureVerifier

from watchkeeper.slackapp import conf
from watchkeeper.slackapp.models import SeenRequest

# Longer than Bolt's window, so a signature is remembered for as long as Bolt would accept it.
KEEP = timedelta(minutes=10)


def is_replay(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Slack-Signature", "")
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    # A missing or garbled header goes on to Bolt, which answers it with 401.
    if not (signature and timestamp.isdigit()):
        return False
    if not SignatureVerifier(conf.signing_secret()).is_valid(request.body, timestamp, signature):
        return False
    now = timezone.now()
    try:
        with transaction.atomic():
            SeenRequest.objects.create(signature=signature[:100], received_at=now)
    except IntegrityError:
        return True
    SeenRequest.objects.filter(received_at__lt=now - KEEP).delete()
    return False
