"""The "send a text?" rule without a database: a text costs money and interrupts, so only two moments earn one."""

import pytest

from watchkeeper.domain.text_messages import worth_a_text


@pytest.mark.parametrize(
    ("maintenance", "first_post", "resolves", "was_resolved", "texted", "why"),
    [
        (False, True, False, False, True, "an incident's first post"),
        (False, True, True, False, True, "a first post that is already resolved"),
        (False, False, False, False, False, "a progress update"),
        (False, False, True, False, True, "the move to resolved"),
        (False, False, True, True, False, "a second resolved update says nothing new"),
        (False, False, False, True, False, "reopening is not texted"),
        (True, True, False, False, False, "planned maintenance, even its first post"),
        (True, False, True, False, False, "planned maintenance completing"),
    ],
)
def test_only_the_first_post_and_the_move_to_resolved_are_texted(
    maintenance: bool, first_post: bool, resolves: bool, was_resolved: bool, texted: bool, why: str
) -> None:
    found = worth_a_text(maintenance=maintenance, first_post=first_post, resolves=resolves, was_resolved=was_resolved)
    assert found is texted, why
