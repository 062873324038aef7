"""An on-call channel stands for whoever a schedule says is on call; routing replaces it with that person.

A delivery still addressed to the channel itself is one routing could not give to anybody (a gap in the rota, or
a schedule that no longer exists): it fails at once, so it shows in the log and the comms lead hears of it.
"""

from __future__ import annotations

from watchkeeper.notifications.channels import Outgoing, Permanent, Sent


class UnreachableTransport:
    def send(self, message: Outgoing) -> Sent:
        raise Permanent(f"nobody to send to: {message.recipient}")
