"""`/slack/events`: Slack's HTTP entry point for commands, interactions and events.

No session, no CSRF token: Slack proves who it is with the request signature instead, checked by Bolt against
SLACK_SIGNING_SECRET (with a 5-minute window on the timestamp). Without a secret nothing is accepted, since an
empty secret would let anyone sign.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_bolt.adapter.django import SlackRequestHandler

from watchkeeper.slackapp import conf
from watchkeeper.slackapp.bolt_app import build_app
from watchkeeper.slackapp.services import replays

log = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    if not conf.signing_secret() or not conf.bot_token():
        log.warning("A Slack request arrived but SLACK_SIGNING_SECRET or SLACK_BOT_TOKEN is not set, so it was refused")
        return HttpResponse("Slack is not set up here", status=503, content_type="text/plain")
    if replays.is_replay(request):
        # Acknowledged, so Slack does not retry, but not run again.
        log.warning("A Slack request was replayed inside its signature window and was dropped")
        return HttpResponse(status=200)
    return SlackRequestHandler(app=build_app()).handle(request)
