"""Atom and RSS of incidents and maintenance, built without a request so the snapshot can write them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape, linebreaks

from watchkeeper.statuspage import conf, queries
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.public_json import absolute
from watchkeeper.statuspage.vocabulary import STATUS_LABELS

RECENT = 50


def _description(public: PublicIncident) -> str:
    """The post-incident report if published, then every update, newest first, as Statuspage's feeds carry them."""
    parts = []
    report = queries.report(public)
    if report is not None:
        parts.append("<p><strong>Post-incident report</strong></p>")
        parts.append(linebreaks(report.text, autoescape=True))
    for update in public.updates.all():
        when = update.display_at.astimezone().strftime("%-d %b %Y, %H:%M %Z")
        parts.append(f"<p><strong>{escape(STATUS_LABELS[update.status])}</strong> ({escape(when)})</p>")
        parts.append(linebreaks(update.body, autoescape=True))
    return "\n".join(parts)


def _build(feed_class: type[SyndicationFeed]) -> str:
    page_url = conf.site_url()
    feed = feed_class(
        title=f"{conf.name()}: incident history",
        link=page_url,
        description=f"Incidents and scheduled maintenance on {conf.name()}",
        language="en-gb",
        feed_url=absolute(reverse("statuspage:atom" if feed_class is Atom1Feed else "statuspage:rss")),
    )
    for public in queries.public_incidents().order_by("-updated_at", "-id")[:RECENT]:
        link = absolute(reverse("statuspage:incident", args=[public.pk]))
        feed.add_item(
            title=public.name,
            link=link,
            description=_description(public),
            pubdate=public.started_at,
            updateddate=public.updated_at,
            unique_id=link,
            categories=[public.get_kind_display()],
        )
    return feed.writeString("utf-8")


def atom() -> str:
    return _build(Atom1Feed)


def rss() -> str:
    return _build(Rss201rev2Feed)
