"""A real process of the service for tests/api/test_delivery_flow.py: ``web`` (``phancong
serve``'s start-up and uvicorn; on SQLite its solves and deliveries run in its threads)
or ``worker`` (``phancong worker`` on PostgreSQL), whose deliveries can be made to die.

``PHANCONG_TEST_DIE_FILE``: while that file exists, the process kills itself
(``os._exit``, no clean-up, as a SIGKILL would) right after a channel accepted a message
and before the outbox row is marked sent — the worst moment of a crash: the receiver has
the message and the database does not know.

Run as ``python -m tests.api.delivering_process web PORT`` or ``... worker`` with the
settings in the environment (``PHANCONG_DATABASE_URL``, ``PHANCONG_SMTP_PORT``, ...).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from api import deliveries
from api.settings import Settings
from models.storage.tables import OutboxRow

#: One send at a time while dying is armed: a second delivery thread (the SQLite web
#: process has two) must not send too in the instant before the exit.
_ONE = threading.Lock()


def _dying(sender: deliveries.Sender) -> deliveries.Sender:
    def send(settings: Settings, row: OutboxRow) -> None:
        die = os.environ.get("PHANCONG_TEST_DIE_FILE")
        if not (die and Path(die).exists()):
            sender(settings, row)
            return
        with _ONE:
            sender(settings, row)
            print(f"dying after sending {row.message_id}", flush=True)
            os._exit(137)

    return send


def main(argv: list[str]) -> None:
    for channel, sender in list(deliveries.SENDERS.items()):
        deliveries.SENDERS[channel] = _dying(sender)
    if argv[0] == "worker":
        from api import worker

        worker.run()
    else:
        from api import server

        server.run("127.0.0.1", int(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
