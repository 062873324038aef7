"""Whether a status page update is worth a text message to its subscribers."""

from __future__ import annotations


def worth_a_text(*, maintenance: bool, first_post: bool, resolves: bool, was_resolved: bool) -> bool:
    """Text messages cost money and interrupt: only an incident's first post and its move to resolved.

    ``resolves`` says the update is in the resolved state, ``was_resolved`` that the update before it was; planned
    maintenance is announced by email and the other channels, never by text.
    """
    if maintenance:
        return False
    if first_post:
        return True
    return resolves and not was_resolved
