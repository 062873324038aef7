"""The only functions that change on-call state. Views, the API, the CLI, Slack and tasks call these."""

from watchkeeper.oncall.services.contacts import add_contact_method, move_contact_method, remove_contact_method
from watchkeeper.oncall.services.paging import acknowledge_page, attach_to_incident, resolve_page, trigger_page
from watchkeeper.oncall.services.policies import create_policy, delete_policy, set_paging_rule, update_policy
from watchkeeper.oncall.services.schedules import (
    add_override,
    calendar_token,
    create_schedule,
    delete_override,
    delete_schedule,
    offer_swap,
    revoke_calendar,
    revoke_schedule_calendar,
    take_swap,
    update_schedule,
    withdraw_swap,
)

__all__ = [
    "acknowledge_page",
    "add_contact_method",
    "add_override",
    "attach_to_incident",
    "calendar_token",
    "create_policy",
    "create_schedule",
    "delete_override",
    "delete_policy",
    "delete_schedule",
    "move_contact_method",
    "offer_swap",
    "remove_contact_method",
    "resolve_page",
    "revoke_calendar",
    "revoke_schedule_calendar",
    "set_paging_rule",
    "take_swap",
    "trigger_page",
    "update_policy",
    "update_schedule",
    "withdraw_swap",
]
