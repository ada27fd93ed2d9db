"""A small IMAP4rev1 server on loopback (standard library only) serving a real mbox file.

Enough of RFC 3501 for ``imaplib`` and the mail intake: the greeting, CAPABILITY, LOGIN (checks
the user and password), SELECT (EXISTS), SEARCH ALL/UNSEEN, FETCH (BODY.PEEK[], BODY[],
RFC822 — a literal ``{size}``), STORE +FLAGS, NOOP and LOGOUT, each also under UID. Message n
of the mbox has sequence number and UID n; the flags live in the server (shared by every
connection, as a real server's would be). Messages added to the file later show up at the next
SELECT. Plain IMAP4 (the intake's ``IMAP_SSL=false``).

    with ImapStandIn(tmp_path / "INBOX.mbox", "support", "secret") as server:
        server.port  # → connect to 127.0.0.1:server.port
"""

from __future__ import annotations

import mailbox
import re
import socketserver
import threading
from pathlib import Path

TOKEN_RE = re.compile(rb'"((?:[^"\\]|\\.)*)"|\(([^)]*)\)|(\S+)')


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self):
        self.logged_in = self.selected = False
        self.send(b"* OK [CAPABILITY IMAP4rev1] ClientDesk test IMAP ready")
        while line := self.rfile.readline():
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _, args = rest.partition(b" ")
            if not self.answer(tag, command.upper(), args) or not tag:
                break

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def answer(self, tag: bytes, command: bytes, args: bytes) -> bool:
        """Answer one command; ``False`` ends the session."""
        words = [
            quoted.replace(b'\\"', b'"').replace(b"\\\\", b"\\") or listed or word
            for quoted, listed, word in TOKEN_RE.findall(args)
        ]
        uid = command == b"UID"
        if uid and words:
            command, words = words[0].upper(), words[1:]
        if command == b"CAPABILITY":
            self.send(b"* CAPABILITY IMAP4rev1")
        elif command == b"NOOP":
            pass
        elif command == b"LOGOUT":
            self.send(b"* BYE logging out")
            self.send(tag + b" OK LOGOUT completed")
            return False
        elif command == b"LOGIN":
            if [w.decode() for w in words[:2]] != [self.server.user, self.server.password]:
                self.send(tag + b" NO [AUTHENTICATIONFAILED] Invalid credentials")
                return True
            self.logged_in = True
        elif not self.logged_in:
            self.send(tag + b" BAD log in first")
            return True
        elif command == b"SELECT":
            count = len(self.server.messages())
            self.selected = True
            self.send(b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
            self.send(f"* {count} EXISTS".encode())
            self.send(b"* 0 RECENT")
            self.send(b"* OK [UIDVALIDITY 1] UIDs valid")
            self.send(tag + b" OK [READ-WRITE] SELECT completed")
            return True
        elif not self.selected:
            self.send(tag + b" BAD select a mailbox first")
            return True
        elif command == b"SEARCH":
            self.search(words)
        elif command == b"FETCH":
            self.fetch(words)
        elif command == b"STORE":
            self.store(words)
        else:
            self.send(tag + b" BAD unknown command " + command)
            return True
        self.send(tag + b" OK " + command + b" completed")
        return True

    def search(self, words) -> None:
        criteria = b" ".join(words).upper()
        numbers = range(1, len(self.server.messages()) + 1)
        if criteria == b"UNSEEN":
            numbers = [n for n in numbers if b"\\Seen" not in self.server.flags_of(n)]
        self.send(b"* SEARCH" + b"".join(b" %d" % n for n in numbers))

    def fetch(self, words) -> None:
        messages = self.server.messages()
        for number in _numbers(words[0], len(messages)):
            data = messages[number - 1]
            item = b"RFC822" if b"RFC822" in words[1].upper() else b"BODY[]"
            if b"PEEK" not in words[1].upper():
                self.server.flags_of(number).add(b"\\Seen")
            head = b"* %d FETCH (UID %d %s {%d}" % (number, number, item, len(data))
            self.send(head)
            self.wfile.write(data)
            self.send(b")")

    def store(self, words) -> None:
        messages = self.server.messages()
        flags = words[2].split() if len(words) > 2 else []
        for number in _numbers(words[0], len(messages)):
            kept = self.server.flags_of(number)
            if words[1].upper().startswith(b"+FLAGS"):
                kept.update(flags)
            elif words[1].upper().startswith(b"-FLAGS"):
                kept.difference_update(flags)
            else:
                kept.clear()
                kept.update(flags)
            self.send(b"* %d FETCH (UID %d FLAGS (%s))" % (number, number, b" ".join(sorted(kept))))


def _numbers(spec: bytes, count: int) -> list[int]:
    """The message numbers of a sequence set ("3", "1:4", "2,5", "1:*") that exist."""
    numbers: list[int] = []
    for part in spec.split(b","):
        low, _, high = part.partition(b":")
        top = count if high == b"*" else int(high or low)
        numbers += range(int(low), top + 1)
    return [n for n in numbers if 1 <= n <= count]


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, path: Path, user: str, password: str):
        super().__init__(("127.0.0.1", 0), _Session)
        self.path, self.user, self.password = Path(path), user, password
        self.flags: dict[int, set[bytes]] = {}
        self.lock = threading.Lock()

    def messages(self) -> list[bytes]:
        box = mailbox.mbox(self.path, create=True)
        try:
            return [box.get_bytes(key) for key in box.keys()]
        finally:
            box.close()

    def flags_of(self, number: int) -> set[bytes]:
        with self.lock:
            return self.flags.setdefault(number, set())


class ImapStandIn:
    """The server, in a thread, for a ``with`` block."""

    def __init__(self, path: Path, user: str, password: str):
        self.server = _Server(path, user, password)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def seen(self, number: int) -> bool:
        return b"\\Seen" in self.server.flags_of(number)

    def __enter__(self) -> ImapStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
