"""Player bots: each joins the arena server over UDP, rolls a die for every
round, then waits for the match to end. They run as threads of the
matchmaker's process here; in a game they are the players' clients.

The protocol is the server's (server/main.cpp): one text datagram per
message, each answered. UDP may drop a datagram, so every message is resent
until answered (the server treats a repeat as the same message).
"""

from __future__ import annotations

import random
import socket
import time
from dataclasses import dataclass, field


class BotError(Exception):
    """A bot could not finish its match."""


@dataclass
class Bot:
    """One player: who it is, and what it did in the match."""

    name: str
    seed: int
    rolls: list[int] = field(default_factory=list)
    outcome: str = ""
    error: str = ""

    def play(self, host: str, port: int, rounds: int) -> None:
        """Plays a whole match; records the rolls and the announced winner,
        or the error (a thread has nowhere else to raise to)."""
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((host, port))
                self._play(sock, rounds)
        except (OSError, BotError) as e:
            self.error = f"{type(e).__name__}: {e}"

    def _play(self, sock: socket.socket, rounds: int) -> None:
        welcome = ask(sock, f"JOIN {self.name}", ("WELCOME", "FULL"))
        if welcome != f"WELCOME {self.name} {rounds}":
            raise BotError(f"unexpected answer to JOIN: {welcome!r}")
        rng = random.Random(self.seed)
        for round_no in range(1, rounds + 1):
            roll = rng.randint(1, 6)
            ask(sock, f"PLAY {self.name} {round_no} {roll}", (f"OK {round_no}",))
            self.rolls.append(roll)
        # The other players may still be rolling: ask until the match is over.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = ask(sock, f"STATUS {self.name}", ("WAIT", "OVER "))
            if status.startswith("OVER "):
                self.outcome = status.removeprefix("OVER ")
                return
            time.sleep(0.05)
        raise BotError("the match did not end within 20 s")


def ask(sock: socket.socket, message: str, expect: tuple[str, ...], attempts: int = 40) -> str:
    """Sends ``message`` and returns the first answer starting with one of
    ``expect``, resending after 250 ms without one (at most ``attempts``
    times). Other answers are late ones to an earlier resend, skipped; an
    ``ERROR`` answer raises."""
    sock.settimeout(0.25)
    for _ in range(attempts):
        try:
            sock.send(message.encode())
            while True:
                answer = sock.recv(512).decode()
                if answer.startswith("ERROR"):
                    raise BotError(f"{message!r} refused: {answer}")
                if answer.startswith(expect):
                    return answer
        except TimeoutError:
            continue
        except ConnectionRefusedError:
            # The session is placed, but its server is still starting and
            # has not bound its port yet: try again shortly.
            time.sleep(0.1)
    raise BotError(f"no answer to {message!r} after {attempts} tries")
