"""The breach record: opened by events, the 72-hour clock, and decisions refused without their reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_incident, make_user
from watchkeeper.breaches import clock, services
from watchkeeper.breaches.models import Breach, BreachDecision
from watchkeeper.breaches.queries import clock_for
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import TimelineEntry

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def breach_incident(lead=None, **fields):
    lead = lead or make_user()
    return lead, make_incident(lead, type="personal_data_breach", take_lead=True, **fields)


def test_deadline_is_72_elapsed_hours_across_the_spring_clock_change() -> None:
    aware = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert clock.ico_deadline(aware) == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
    # The same instant given in London time: wall-clock arithmetic would land an hour late.
    assert clock.ico_deadline(aware.astimezone(LONDON)) == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def test_deadline_across_the_autumn_clock_change() -> None:
    aware = datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)  # BST
    assert clock.ico_deadline(aware) == datetime(2026, 10, 27, 11, 0, tzinfo=UTC)


def test_declaring_a_breach_opens_a_record_from_the_declaration() -> None:
    with time_machine.travel(datetime(2026, 3, 27, 10, 0, tzinfo=UTC), tick=False):
        _, incident = breach_incident()
    breach = Breach.objects.get(incident=incident)
    assert breach.aware_at == datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert breach.ico_deadline == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
    assert BreachDecision.objects.filter(incident=incident, kind="opened").exists()


def test_changing_type_to_breach_opens_a_record_and_other_types_do_not() -> None:
    lead = make_user()
    incident = make_incident(lead, take_lead=True)
    assert not Breach.objects.filter(incident=incident).exists()
    incidents.change_type(lead, incident, "personal_data_breach", "customer records exposed")
    assert Breach.objects.filter(incident=incident).exists()


def test_an_incident_can_be_marked_as_involving_personal_data() -> None:
    lead = make_user()
    incident = make_incident(lead, take_lead=True)
    breach = services.open_breach(lead, incident)
    assert services.open_breach(lead, incident) == breach
    with pytest.raises(PermissionDenied):
        services.open_breach(make_user("stranger", "viewer"), incident)


def test_aware_at_change_needs_a_reason_and_moves_the_deadline() -> None:
    lead, incident = breach_incident()
    earlier = incident.declared_at - timedelta(hours=5)
    with pytest.raises(ValidationError) as error:
        services.change_aware_at(lead, incident, earlier, "  ")
    assert "aware_at_reason" in error.value.message_dict
    breach = services.change_aware_at(lead, incident, earlier, "the supplier told us by email at 5am")
    assert breach.ico_deadline == earlier.astimezone(UTC) + timedelta(hours=72)
    decision = BreachDecision.objects.get(incident=incident, kind="aware_at")
    assert decision.reason == "the supplier told us by email at 5am"
    assert decision.by == lead
    with pytest.raises(ValidationError):
        services.change_aware_at(lead, incident, incident.declared_at + timedelta(days=1), "future")


def test_not_reporting_needs_reasoning_and_an_unlikely_risk() -> None:
    lead, incident = breach_incident()
    with pytest.raises(ValidationError) as error:
        services.decide_ico(lead, incident, False, "")
    assert "report_to_ico_reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.assess_risk(lead, incident, "risk", "")
    services.assess_risk(lead, incident, "risk", "names and addresses of 40 people")
    with pytest.raises(ValidationError) as error:
        services.decide_ico(lead, incident, False, "small")
    assert "report_to_ico" in error.value.message_dict
    services.assess_risk(lead, incident, "unlikely", "the file was encrypted and the key is safe")
    breach = services.decide_ico(lead, incident, False, "encrypted with a key that was not exposed")
    assert breach.report_to_ico is False
    decision = BreachDecision.objects.filter(incident=incident, kind="report_to_ico").get()
    assert (decision.by, decision.reason) == (lead, "encrypted with a key that was not exposed")
    assert TimelineEntry.objects.filter(incident=incident, text__contains="do not report").exists()


def test_late_report_needs_reasons_for_the_delay() -> None:
    with time_machine.travel(datetime(2026, 3, 27, 10, 0, tzinfo=UTC), tick=False):
        lead, incident = breach_incident()
    with time_machine.travel(datetime(2026, 3, 31, 9, 0, tzinfo=UTC), tick=False):
        late = datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
        with pytest.raises(ValidationError) as error:
            services.record_reported(lead, incident, late, "ICO-123")
        assert "delay_reasons" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.record_reported(lead, incident, late, "", "waited for the supplier")
        assert "ico_reference" in error.value.message_dict
        breach = services.record_reported(lead, incident, late, "ICO-123", "waited for the supplier's logs")
    assert breach.report_to_ico is True
    assert breach.delay_reasons == "waited for the supplier's logs"


def test_phased_reporting_records_further_information() -> None:
    lead, incident = breach_incident()
    now = incident.declared_at
    with pytest.raises(ValidationError):
        services.record_further_information(lead, incident, now, "counts confirmed")
    services.record_reported(lead, incident, now, "ICO-9")
    with pytest.raises(ValidationError):
        services.record_further_information(lead, incident, now, "")
    services.record_further_information(lead, incident, now, "final count of people: 1,204")
    assert BreachDecision.objects.filter(incident=incident, kind="further_information").count() == 1


def test_telling_people_at_high_risk_needs_an_exemption() -> None:
    lead, incident = breach_incident()
    services.assess_risk(lead, incident, "high", "bank details of 2,000 people")
    with pytest.raises(ValidationError) as error:
        services.decide_tell_people(lead, incident, False, "too many people")
    assert "tell_people_exemption" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.decide_tell_people(lead, incident, False, "too many", exemption="disproportionate")
    assert "tell_people_method" in error.value.message_dict
    breach = services.decide_tell_people(
        lead, incident, False, "no contact details held", exemption="disproportionate", method="notice on GOV.UK"
    )
    assert breach.tell_people_exemption == "disproportionate"
    with pytest.raises(ValidationError) as error:
        services.decide_tell_people(lead, incident, True, "high risk")
    assert "tell_people_method" in error.value.message_dict
    told = incident.declared_at
    breach = services.decide_tell_people(lead, incident, True, "high risk", told_at=told, method="email")
    assert (breach.tell_people, breach.told_people_at, breach.tell_people_exemption) == (True, told, "")


def test_facts_are_recorded_on_the_timeline() -> None:
    lead, incident = breach_incident()
    breach = services.update_facts(lead, incident, nature="emails sent to the wrong people", people_count=40)
    assert breach.people_count == 40
    with pytest.raises(ValidationError):
        services.update_facts(lead, incident, colour="blue")
    assert BreachDecision.objects.filter(incident=incident, kind="facts").count() == 1


def test_clock_for_the_incident_page_shows_only_to_the_team() -> None:
    with time_machine.travel(datetime(2026, 3, 27, 10, 0, tzinfo=UTC), tick=False):
        lead, incident = breach_incident()
        assert clock_for(lead, incident) == "ICO decision due in 3 days (deadline Mon 30 Mar 2026, 11:00 BST)"
    assert clock_for(make_user("other"), incident) is None
