"""Public views (no sign-in). The page, feeds and JSON normally come from the snapshot before Django;
these views answer the same URLs live when no snapshot file exists yet.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from watchkeeper.client_address import client_address
from watchkeeper.notifications.sealing import reveal
from watchkeeper.statuspage import conf, feeds, pages, public_json, queries
from watchkeeper.statuspage.forms import CodeForm, ManageForm, SmsSubscribeForm, SubscribeForm, WebhookSubscribeForm
from watchkeeper.statuspage.paths import CONTENT_TYPES
from watchkeeper.statuspage.services import sms, subscribers
from watchkeeper.web.govuk_forms import put_errors

PUBLIC_CACHE = "public, max-age=15"


def _html(html: str, status: int = 200, cache: str = PUBLIC_CACHE) -> HttpResponse:
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = cache
    return response


def _private(request: HttpRequest, template: str, status: int = 200, **context: object) -> HttpResponse:
    # Pages carrying a signed link or a form token must never be cached or shared.
    response = render(request, template, pages.base_context(**context), status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def page(request: HttpRequest) -> HttpResponse:
    return _html(pages.index())


@login_not_required
def history(request: HttpRequest, number: int = 1) -> HttpResponse:
    if number < 1:
        raise Http404("No such page of past incidents")
    html, count = pages.history(number)
    if number < 1 or number > count:
        raise Http404("No such page of past incidents")
    return _html(html)


@login_not_required
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    return _html(pages.incident(get_object_or_404(queries.public_incidents(), pk=pk)))


@login_not_required
def atom(request: HttpRequest) -> HttpResponse:
    return HttpResponse(feeds.atom(), content_type=CONTENT_TYPES[".atom"])


@login_not_required
def rss(request: HttpRequest) -> HttpResponse:
    return HttpResponse(feeds.rss(), content_type=CONTENT_TYPES[".rss"])


@login_not_required
def json_document(request: HttpRequest, name: str) -> JsonResponse:
    documents = public_json.documents()
    if name not in documents:
        raise Http404(f"No document {name}")
    response = JsonResponse(documents[name], json_dumps_params={"separators": (",", ":")})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _client_ip(request: HttpRequest) -> str | None:
    # Behind the proxy (BEHIND_PROXY) REMOTE_ADDR is the proxy's: the limit must count each client on its own.
    return client_address(request)


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscribers.sign_up(form.cleaned_data["email"], components=form.selection(), ip=_client_ip(request))
        except subscribers.TooManyAttempts as error:
            form.add_error(None, str(error))
            return _private(request, "statuspage/subscribe.html", status=429, form=form, active_nav="subscribe")
        except ValidationError as error:
            put_errors(form, error)
        else:
            return _private(request, "statuspage/check_email.html", email=form.cleaned_data["email"])
    return _private(request, "statuspage/subscribe.html", form=form, active_nav="subscribe")


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe_webhook(request: HttpRequest) -> HttpResponse:
    form = WebhookSubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscribers.sign_up_webhook(
                data["email"], data["endpoint"], components=form.selection(), ip=_client_ip(request)
            )
        except subscribers.TooManyAttempts as error:
            form.add_error(None, str(error))
            return _private(request, "statuspage/subscribe_webhook.html", status=429, form=form)
        except ValidationError as error:
            put_errors(form, error)
        else:
            return _private(request, "statuspage/check_email.html", email=data["email"])
    return _private(request, "statuspage/subscribe_webhook.html", form=form, active_nav="subscribe")


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe_sms(request: HttpRequest) -> HttpResponse:
    form = SmsSubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscriber = sms.sign_up(form.cleaned_data["phone"], components=form.selection(), ip=_client_ip(request))
        except subscribers.TooManyAttempts as error:
            form.add_error(None, str(error))
            return _private(request, "statuspage/subscribe_sms.html", status=429, form=form, active_nav="subscribe")
        except ValidationError as error:
            put_errors(form, error)
        else:
            return redirect("statuspage:sms-code", token=sms.code_token(subscriber))
    return _private(request, "statuspage/subscribe_sms.html", form=form, active_nav="subscribe")


@login_not_required
@require_http_methods(["GET", "POST"])
def sms_code(request: HttpRequest, token: str) -> HttpResponse:
    """Where the code from the text message is entered; the token names the sign-up, not the number."""
    try:
        subscriber = sms.from_code_token(token)
    except subscribers.BadLink as error:
        return _private(request, "statuspage/message.html", status=404, heading="Link not valid", text=str(error))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscriber = sms.confirm_code(subscriber, form.cleaned_data["code"])
        except sms.BadCode as error:
            form.add_error("code", str(error))
        else:
            return redirect("statuspage:manage", token=subscribers.manage_token(subscriber))
    return _private(request, "statuspage/sms_code.html", form=form, minutes=conf.sms_code_minutes())


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only asks: mail scanners open links, and opening a link must not subscribe anyone."""
    if request.method == "POST":
        try:
            subscriber = subscribers.confirm(token)
        except subscribers.BadLink as error:
            return _private(request, "statuspage/message.html", status=400, heading="Link not valid", text=str(error))
        return redirect("statuspage:manage", token=subscribers.manage_token(subscriber))
    return _private(request, "statuspage/confirm.html")


def _subscriber(request: HttpRequest, token: str) -> subscribers.Subscriber | HttpResponse:
    try:
        return subscribers.from_manage_link(token)
    except subscribers.BadLink as error:
        return _private(request, "statuspage/message.html", status=404, heading="Link not valid", text=str(error))


@login_not_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    found = _subscriber(request, token)
    if isinstance(found, HttpResponse):
        return found
    initial = {
        "scope": "all" if found.all_components else "chosen",
        "components": [str(c.pk) for c in found.components.all()],
    }
    form = ManageForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        subscribers.choose_components(found, form.selection())
        saved = True
    secret = reveal(found.secret) if found.secret else ""
    return _private(
        request, "statuspage/manage.html", form=form, subscriber=found, token=token, saved=saved, secret=secret
    )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; POST unsubscribes. Mail clients send RFC 8058 one-click POSTs without a CSRF token."""
    found = _subscriber(request, token)
    if isinstance(found, HttpResponse):
        return found
    if request.method == "POST":
        what = "phone number" if found.medium == found.Medium.SMS else "email address"
        subscribers.unsubscribe(found)
        return _private(
            request,
            "statuspage/message.html",
            heading="You have unsubscribed",
            text=f"You will not get any more updates, and we have deleted your {what}.",
        )
    return _private(request, "statuspage/unsubscribe.html", subscriber=found)
