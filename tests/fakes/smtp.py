"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self._parsed: list[Message] = []
        self.refuse_next = 0
        # What a refusal says: 4xx is "try again later", 5xx is the server's final answer.
        self.refusal = "451 4.3.0 try again later"
        # Called with the count so far each time a message is kept, before the sender hears it was accepted.
        self.after_accepting: Callable[[int], object] | None = None

    @property
    def messages(self) -> list[Message]:
        """What was received, parsed when asked for: parsing is most of this server's work, and in the fan-out
        benchmark it would take CPU from the workers it measures."""
        self._parsed += [email.message_from_bytes(raw) for raw in self.received[len(self._parsed) :]]
        return self._parsed

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_next:
            self.refuse_next -= 1
            return self.refusal
        self.received.append(envelope.content)
        if self.after_accepting is not None:
            self.after_accepting(len(self.received))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
