"""The Jinja2 environment: GOV.UK Frontend macros (the maintained Jinja port) plus Django's helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.web import formatting
from watchkeeper.web.govuk_forms import error_summary, field_params


def environment(**options: Any) -> Environment:
    app_loader = options.pop("loader", None)
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader(
            [
                *([app_loader] if app_loader else []),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        **options,
    )
    env.globals.update(
        static=static,
        url=reverse,
        settings=settings,
        get_messages=get_messages,
        field=field_params,
        error_summary=error_summary,
        now=timezone.now,
        user_can_act=can_act,
        user_is_admin=is_admin,
    )
    env.filters.update(
        local=formatting.local_time,
        when=formatting.when,
        relative=formatting.relative,
        duration=formatting.duration,
        event_words=formatting.event_words,
    )
    return env
