"""The only functions that change breach records and security responses.

Each validates, saves, appends to the incident's timeline and enqueues or publishes what follows, in one
transaction. Views, the API and tasks call these; split by subject so no module grows past a screenful.
"""

from watchkeeper.breaches.services.alerts import schedule_alerts, send_alert
from watchkeeper.breaches.services.breach import (
    BreachChanges,
    assess_risk,
    change_aware_at,
    decide_ico,
    decide_tell_people,
    open_breach,
    open_if_breach,
    record_further_information,
    record_reported,
    update,
    update_facts,
)
from watchkeeper.breaches.services.security import (
    add_evidence_log,
    check_security_steps,
    record_download,
    record_ncsc,
    save_security_section,
    upload_evidence,
    waive_security_step,
)

__all__ = [
    "BreachChanges",
    "add_evidence_log",
    "assess_risk",
    "change_aware_at",
    "check_security_steps",
    "decide_ico",
    "decide_tell_people",
    "open_breach",
    "open_if_breach",
    "record_download",
    "record_further_information",
    "record_ncsc",
    "record_reported",
    "save_security_section",
    "schedule_alerts",
    "send_alert",
    "update",
    "update_facts",
    "upload_evidence",
    "waive_security_step",
]
