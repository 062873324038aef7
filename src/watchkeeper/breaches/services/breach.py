"""The breach record: awareness and the 72-hour clock, the Article 33(3) facts, risk and each decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.breaches import clock
from watchkeeper.breaches.models import Breach, DecisionKind, Exemption, Risk
from watchkeeper.breaches.services.alerts import schedule_alerts
from watchkeeper.breaches.services.common import decide, lock_breach, past_instant, require_actor, save
from watchkeeper.domain.workflow import IncidentType
from watchkeeper.incidents import services as incident_services
from watchkeeper.incidents.models import Incident

FACT_FIELDS = (
    "nature",
    "people_categories",
    "people_count",
    "record_categories",
    "record_count",
    "contact_point",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
)


def _create(incident: Incident, actor: User | None, how: str) -> Breach:
    aware_at = incident.declared_at
    breach = Breach.objects.create(
        incident=incident,
        opened_at=timezone.now(),
        opened_by=actor,
        aware_at=aware_at,
        ico_deadline=clock.ico_deadline(aware_at),
    )
    decide(
        incident,
        actor,
        DecisionKind.OPENED,
        f"Breach record opened ({how}); ICO deadline {breach.ico_deadline:%Y-%m-%d %H:%M} UTC",
    )
    schedule_alerts(breach)
    return breach


@transaction.atomic
def open_breach(actor: User, incident: Incident) -> Breach:
    """Marks an incident as involving personal data: the record and its clock start from the declaration."""
    require_actor(actor, incident)
    Incident.objects.select_for_update().get(pk=incident.pk)
    existing = Breach.objects.filter(incident=incident).first()
    if existing:
        return existing
    # Personal data involved means the care the law asks: the incident, its timeline and the record stay
    # with the response team, security and admins from here on.
    incident_services.restrict(actor, incident, "It involves personal data")
    return _create(incident, actor, "marked as involving personal data")


def open_if_breach(incident: Incident, actor: User | None) -> Breach | None:
    """Every incident declared as, or changed to, a personal data breach gets a record; once."""
    if incident.type != IncidentType.PERSONAL_DATA_BREACH.value or Breach.objects.filter(incident=incident).exists():
        return None
    return _create(incident, actor, "declared as a personal data breach")  # type: ignore[arg-type]


@transaction.atomic
def change_aware_at(actor: User, incident: Incident, aware_at: datetime, reason: str) -> Breach:
    require_actor(actor, incident)
    if not reason.strip():
        raise ValidationError({"aware_at_reason": "Say why the time of awareness is changing"})
    past_instant(aware_at, "aware_at", "the time of awareness")
    breach = lock_breach(incident)
    if breach.aware_at == aware_at:
        return breach
    previous = breach.aware_at
    breach.aware_at = aware_at
    breach.ico_deadline = clock.ico_deadline(aware_at)
    save(breach)
    decide(
        incident,
        actor,
        DecisionKind.AWARE_AT,
        f"aware from {aware_at:%Y-%m-%d %H:%M %Z} (was {previous:%Y-%m-%d %H:%M %Z}); "
        f"ICO deadline now {breach.ico_deadline:%Y-%m-%d %H:%M} UTC",
        reason,
    )
    # Alerts counted from the old time check aware_at when they fire and stand down.
    schedule_alerts(breach)
    return breach


@transaction.atomic
def update_facts(actor: User, incident: Incident, **facts: Any) -> Breach:
    """The Article 33(3) facts. They are the record's content, not decisions, so they need no reason."""
    require_actor(actor, incident)
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError({name: "not a breach fact" for name in unknown})
    breach = lock_breach(incident)
    changed = [name for name, value in facts.items() if getattr(breach, name) != value]
    if not changed:
        return breach
    for name in changed:
        setattr(breach, name, facts[name])
    save(breach)
    decide(incident, actor, DecisionKind.FACTS, "updated " + ", ".join(name.replace("_", " ") for name in changed))
    return breach


@transaction.atomic
def assess_risk(actor: User, incident: Incident, risk: str, reasoning: str) -> Breach:
    require_actor(actor, incident)
    if risk not in Risk.values:
        raise ValidationError({"risk": f"unknown risk {risk!r}: use {', '.join(Risk.values)}"})
    if not reasoning.strip():
        raise ValidationError({"risk_reasoning": "Explain how you assessed the risk to people"})
    breach = lock_breach(incident)
    breach.risk = risk
    breach.risk_reasoning = reasoning.strip()
    save(breach)
    decide(incident, actor, DecisionKind.RISK, Risk(risk).label, reasoning)
    return breach


@transaction.atomic
def decide_ico(actor: User, incident: Incident, report: bool, reason: str) -> Breach:
    """Article 33(1): report unless the breach is unlikely to result in a risk; not reporting needs reasoning."""
    require_actor(actor, incident)
    breach = lock_breach(incident)
    if not report:
        if not reason.strip():
            raise ValidationError({"report_to_ico_reason": "Explain why the breach will not be reported to the ICO"})
        if breach.risk in {Risk.RISK, Risk.HIGH}:
            raise ValidationError(
                {"report_to_ico": "A breach assessed as a risk to people must be reported: reassess the risk first"}
            )
    if breach.reported_to_ico_at and not report:
        raise ValidationError({"report_to_ico": "This breach has already been reported to the ICO"})
    breach.report_to_ico = report
    breach.report_to_ico_reason = reason.strip()
    save(breach)
    decide(incident, actor, DecisionKind.REPORT_TO_ICO, "report to the ICO" if report else "do not report", reason)
    return breach


@transaction.atomic
def record_reported(
    actor: User, incident: Incident, reported_at: datetime, ico_reference: str, delay_reasons: str = ""
) -> Breach:
    """When the ICO was told and their reference; after the deadline, Article 33(1) asks for the reasons."""
    require_actor(actor, incident)
    past_instant(reported_at, "reported_to_ico_at", "when it was reported")
    errors: dict[str, str] = {}
    if not ico_reference.strip():
        errors["ico_reference"] = "Enter the reference the ICO gave"
    breach = lock_breach(incident)
    if breach.report_to_ico is False:
        errors["report_to_ico"] = "The decision was not to report: record a decision to report first"
    if reported_at > breach.ico_deadline and not delay_reasons.strip():
        errors["delay_reasons"] = "It was reported after the 72-hour deadline: give the reasons for the delay"
    if errors:
        raise ValidationError(errors)
    if breach.report_to_ico is None:
        breach.report_to_ico = True
    breach.reported_to_ico_at = reported_at
    breach.ico_reference = ico_reference.strip()
    breach.delay_reasons = delay_reasons.strip()
    save(breach)
    late = " (after the deadline)" if reported_at > breach.ico_deadline else ""
    decide(
        incident,
        actor,
        DecisionKind.REPORTED,
        f"reported at {reported_at:%Y-%m-%d %H:%M %Z}{late}, ICO reference {breach.ico_reference}",
        delay_reasons,
    )
    return breach


@transaction.atomic
def record_further_information(actor: User, incident: Incident, sent_at: datetime, summary: str) -> Breach:
    """Article 33(4): information the ICO gets in phases after the first report."""
    require_actor(actor, incident)
    past_instant(sent_at, "sent_at", "when it was sent")
    if not summary.strip():
        raise ValidationError({"summary": "Say what further information was sent"})
    breach = lock_breach(incident)
    if breach.reported_to_ico_at is None:
        raise ValidationError({"sent_at": "Record the first report to the ICO before further information"})
    decide(incident, actor, DecisionKind.FURTHER_INFORMATION, f"sent at {sent_at:%Y-%m-%d %H:%M %Z}", summary)
    return breach


@transaction.atomic
def decide_tell_people(
    actor: User,
    incident: Incident,
    tell: bool,
    reason: str,
    *,
    exemption: str = "",
    told_at: datetime | None = None,
    method: str = "",
) -> Breach:
    """Article 34: high risk means telling people unless an Article 34(3) exemption applies."""
    require_actor(actor, incident)
    breach = lock_breach(incident)
    errors: dict[str, str] = {}
    if exemption and exemption not in Exemption.values:
        errors["tell_people_exemption"] = f"unknown exemption {exemption!r}: use {', '.join(Exemption.values)}"
    if not reason.strip():
        errors["tell_people_reason"] = "Explain the decision about telling the people affected"
    if not tell and breach.risk == Risk.HIGH and not exemption:
        errors["tell_people_exemption"] = (
            "The risk is high: people must be told unless an Article 34(3) exemption applies"
        )
    if tell and not method.strip():
        errors["tell_people_method"] = "Say how people are told, for example by email or letter"
    if exemption == Exemption.DISPROPORTIONATE and not method.strip():
        errors["tell_people_method"] = "Say where the public notice is published"
    if told_at is not None:
        try:
            past_instant(told_at, "told_people_at", "when people were told")
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    breach.tell_people = tell
    breach.tell_people_reason = reason.strip()
    breach.tell_people_exemption = "" if tell else exemption
    breach.told_people_at = told_at
    breach.tell_people_method = method.strip()
    save(breach)
    decision = "tell the people affected" if tell else "do not tell the people affected"
    if breach.tell_people_exemption:
        decision += f" (exemption: {Exemption(exemption).label})"
    if method.strip():
        decision += f"; method: {method.strip()}"
    if told_at:
        decision += f"; told at {told_at:%Y-%m-%d %H:%M %Z}"
    decide(incident, actor, DecisionKind.TELL_PEOPLE, decision, reason)
    return breach


@dataclass(frozen=True)
class BreachChanges:
    """A partial update from the API; None means "leave as it is"."""

    aware_at: datetime | None = None
    aware_at_reason: str = ""
    facts: dict[str, Any] | None = None
    risk: str | None = None
    risk_reasoning: str = ""
    report_to_ico: bool | None = None
    report_to_ico_reason: str = ""
    reported_to_ico_at: datetime | None = None
    ico_reference: str = ""
    delay_reasons: str = ""
    tell_people: bool | None = None
    tell_people_reason: str = ""
    tell_people_exemption: str = ""
    told_people_at: datetime | None = None
    tell_people_method: str = ""


@transaction.atomic
def update(actor: User, incident: Incident, changes: BreachChanges) -> Breach:
    """Applies each part through its own function, all or nothing."""
    require_actor(actor, incident)
    breach = lock_breach(incident)
    if changes.aware_at is not None:
        breach = change_aware_at(actor, incident, changes.aware_at, changes.aware_at_reason)
    if changes.facts:
        breach = update_facts(actor, incident, **changes.facts)
    if changes.risk is not None:
        breach = assess_risk(actor, incident, changes.risk, changes.risk_reasoning)
    if changes.report_to_ico is not None and changes.report_to_ico != breach.report_to_ico:
        breach = decide_ico(actor, incident, changes.report_to_ico, changes.report_to_ico_reason)
    if changes.reported_to_ico_at is not None:
        breach = record_reported(
            actor, incident, changes.reported_to_ico_at, changes.ico_reference, changes.delay_reasons
        )
    if changes.tell_people is not None:
        breach = decide_tell_people(
            actor,
            incident,
            changes.tell_people,
            changes.tell_people_reason,
            exemption=changes.tell_people_exemption,
            told_at=changes.told_people_at,
            method=changes.tell_people_method,
        )
    return breach
