"""The mail host: a real SMTP server (aiosmtpd) that accepts everything and writes one JSON line
per message (when, from which host, Message-ID, the tracker's reminder or digest header, to,
subject).

    python -m tests.fleet.mailsink --host 10.77.x.4 --port 25 --out messages.jsonl \
        [--hold-from 10.77.x.21 --hold-folder DIR]

With --hold-from, once DIR/hold exists, the next message from that address is recorded (the
server has it) and then its "250" is held back until DIR/release exists, after writing
DIR/held: the test kills the sending worker at that moment, the one point where a reminder can
be delivered twice.
"""

import argparse
import asyncio
import json
import os
import signal
import threading
import time
from email import message_from_bytes
from email.message import Message


def record(message: Message, rcpt_tos: list[str]) -> dict:
    return {
        "at": time.time(),
        "message_id": message["Message-ID"],
        "reminder": message["X-Tracker-Reminder"],
        "digest": message["X-Tracker-Digest"],
        "to": rcpt_tos,
        "subject": message["Subject"],
    }


class Recorder:
    def __init__(self, path: str, hold_folder: str | None = None):
        self.path = path
        self.lock = threading.Lock()
        self.hold_folder = hold_folder
        self.held = False

    async def handle_DATA(self, server, session, envelope):
        line = record(message_from_bytes(envelope.content), list(envelope.rcpt_tos))
        line["peer"] = session.peer[0] if session.peer else None
        with self.lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
            out.flush()
        if (
            self.hold_folder
            and not self.held
            and line["reminder"]
            and os.path.exists(os.path.join(self.hold_folder, "hold"))
        ):
            self.held = True
            with open(os.path.join(self.hold_folder, "held"), "w") as out:
                json.dump(line, out)
            release = os.path.join(self.hold_folder, "release")
            deadline = time.monotonic() + 60
            while not os.path.exists(release) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--out", required=True)
    parser.add_argument("--hold-folder")
    args = parser.parse_args()
    handler = Recorder(args.out, args.hold_folder)
    controller = Controller(handler, hostname=args.host, port=args.port)
    controller.start()
    print(f"SMTP server on {args.host}:{args.port}, writing to {args.out}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
