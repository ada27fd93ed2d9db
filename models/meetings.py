"""Meetings with a client: when, where, who (the client's contacts and agency staff), the agenda,
the outcome and the follow-up actions, and the ``.ics`` invitation calendar programs accept.

Scheduling and every change that invitees should hear about go through ``action_schedule`` and
``action_update``: they record the meeting on the client's timeline, and a change bumps the
invitation's ``SEQUENCE`` so calendars replace the old copy instead of adding a second one.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from . import ics
from .activity import record_activity
from .base import DomainError, Model, TimestampMixin, UTCDateTime, utcnow
from .clients import Client, _blank, _session, is_staff
from .contacts import ClientContact, Contact
from .privacy import NOT_PERSONAL, PERSONAL_DATA, PersonalData

TITLE_MAX = 200
URL_RE = re.compile(r"^https?://[^\s]+$")
# What an invitee's calendar shows: a change to any of these is a new version of the invitation.
INVITATION_FIELDS = ("title", "starts_at", "ends_at", "location", "video_link", "agenda")
INVITATION_PEOPLE = ("contacts", "staff")


class MeetingError(DomainError):
    """A meeting or a follow-up action breaks one of the rules of this module."""


meeting_contacts = Table(
    "meeting_contact",
    Model.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
)

meeting_staff = Table(
    "meeting_staff",
    Model.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(TimestampMixin, Model):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_meeting_ends_after_starts"),
        UniqueConstraint("uid", name="uq_meeting_uid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The invitation's UID: stable for the meeting's life, whatever else changes.
    uid: Mapped[str] = mapped_column(String(64), nullable=False, default=lambda: uuid.uuid4().hex)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    location: Mapped[str | None] = mapped_column(String(200))
    video_link: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    client: Mapped[Client] = relationship(Client)
    organiser: Mapped[User | None] = relationship(User, foreign_keys=[organiser_id])
    contacts: Mapped[list[Contact]] = relationship(Contact, secondary=meeting_contacts)
    staff: Mapped[list[User]] = relationship(User, secondary=meeting_staff)
    actions: Mapped[list[MeetingAction]] = relationship(
        "MeetingAction",
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingAction.due_on",
    )

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d %b %Y %H:%M} UTC)" if self.starts_at else ""

    # ------------------------------------------------------------ derived values

    @property
    def where(self) -> str:
        return self.location or self.video_link or ""

    @property
    def span(self) -> str:
        """When, for people: ``03 Dec 2026 09:00–10:00 UTC``."""
        return _span(self)

    @property
    def attendee_names(self) -> str:
        return ", ".join([str(c) for c in self.contacts] + [_user_name(u) for u in self.staff])

    # ------------------------------------------------------------ rules

    def violations(self) -> list[MeetingError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(MeetingError("Choose the client the meeting is with.", "client"))
        if _blank(self.title):
            errors.append(MeetingError("Title is required.", "title"))
        elif len(self.title.strip()) > TITLE_MAX:
            errors.append(
                MeetingError(f"Title must be at most {TITLE_MAX} characters long.", "title")
            )
        if self.starts_at is None:
            errors.append(MeetingError("Start time is required.", "starts_at"))
        if self.ends_at is None:
            errors.append(MeetingError("End time is required.", "ends_at"))
        elif self.starts_at is not None and self.ends_at <= self.starts_at:
            errors.append(MeetingError("The meeting must end after it starts.", "ends_at"))
        if self.video_link and not URL_RE.match(self.video_link.strip()):
            errors.append(
                MeetingError(
                    "Video link must be a web address (http:// or https://).", "video_link"
                )
            )
        if not self.contacts and not self.staff:
            errors.append(
                MeetingError(
                    "Invite at least one attendee: a contact or a staff member.", "contacts"
                )
            )
        errors += self._contact_violations()
        for user in self.staff:
            if not is_staff(user):
                errors.append(
                    MeetingError(f"{_user_name(user)} is not an agency staff member.", "staff")
                )
        return errors

    def _contact_violations(self) -> list[MeetingError]:
        client_id = self.client.id if self.client is not None else self.client_id
        ids = {contact.id for contact in self.contacts if contact.id is not None}
        if client_id is None or not ids:
            return []
        session = object_session(self) or _session()
        with session.no_autoflush:
            linked = set(
                session.scalars(
                    select(ClientContact.contact_id).where(
                        ClientContact.client_id == client_id, ClientContact.contact_id.in_(ids)
                    )
                )
            )
        return [
            MeetingError(f"{contact} is not a contact of this client.", "contacts")
            for contact in self.contacts
            if contact.id not in linked
        ]

    def validate(self) -> None:
        """:raise MeetingError: for the first rule this meeting breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # ------------------------------------------------------------ actions

    def action_schedule(self, by: User | None) -> None:
        """Add a new meeting (``by`` organises it unless an organiser is set) and put it on the
        client's timeline. The caller commits.

        :raise MeetingError: for the first rule the meeting breaks.
        """
        if self.organiser is None:
            self.organiser = by
        self.validate()
        session = _session()
        session.add(self)
        session.flush()
        record_activity(
            session,
            "meeting",
            f"Meeting scheduled: {self.title}, {_span(self)}",
            client_id=self.client_id,
            subject=self,
            actor=by,
        )

    def action_update(self, by: User | None) -> bool:
        """Record the pending changes of a meeting: a change invitees see bumps ``sequence``
        and goes on the timeline (as a reschedule when the time moved). The caller commits.

        Returns whether the invitation changed.

        :raise MeetingError: for the first rule the changed meeting breaks.
        """
        session = _session()
        with session.no_autoflush:
            changed = self._flushed_changes | self._unflushed_changes()
            self._flushed_changes = set()
            self.validate()
        if not changed:
            return False
        self.sequence = (self.sequence or 0) + 1
        moved = {"starts_at", "ends_at"} & changed
        fields = ", ".join(
            name for name in (*INVITATION_FIELDS, *INVITATION_PEOPLE) if name in changed
        )
        what = f"rescheduled to {_span(self)}" if moved else f"changed ({fields})"
        record_activity(
            session,
            "meeting",
            f"Meeting {what}: {self.title}",
            client_id=self.client_id,
            subject=self,
            actor=by,
        )
        return True

    def _unflushed_changes(self) -> set[str]:
        state = inspect(self)
        return {
            name
            for name in (*INVITATION_FIELDS, *INVITATION_PEOPLE)
            if state.attrs[name].history.has_changes()
        }

    @property
    def _flushed_changes(self) -> set[str]:
        """Invitation fields changed by flushes since the last ``action_update`` (an autoflush,
        e.g. while a form loads the attendee lists, clears the history they would show)."""
        return self.__dict__.get("_invitation_changes", set())

    @_flushed_changes.setter
    def _flushed_changes(self, value: set[str]) -> None:
        self.__dict__["_invitation_changes"] = value

    def action_cancel(self, by: User | None) -> None:
        """Delete the meeting; the timeline keeps a line saying so. The caller commits."""
        session = _session()
        record_activity(
            session,
            "meeting",
            f"Meeting cancelled: {self.title}, {_span(self)}",
            client_id=self.client_id,
            subject=self,
            actor=by,
        )
        session.delete(self)

    # ------------------------------------------------------------ invitation

    def ics(self, now: datetime | None = None) -> bytes:
        """The meeting as an RFC 5545 ``METHOD:REQUEST`` invitation."""
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//ClientDesk//Meetings//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            f"UID:{self.uid}@clientdesk",
            f"DTSTAMP:{ics.utc_stamp(now or utcnow())}",
            f"DTSTART:{ics.utc_stamp(self.starts_at)}",
            f"DTEND:{ics.utc_stamp(self.ends_at)}",
            f"SEQUENCE:{self.sequence or 0}",
            f"SUMMARY:{ics.escape_text(self.title)}",
        ]
        description = self.agenda or ""
        if self.video_link:
            description = f"{description}\n\nJoin: {self.video_link}".strip()
        if description:
            lines.append(f"DESCRIPTION:{ics.escape_text(description)}")
        if self.where:
            lines.append(f"LOCATION:{ics.escape_text(self.where)}")
        if self.video_link:
            lines.append(f"URL:{self.video_link.strip()}")
        if self.organiser is not None and self.organiser.email:
            name = ics.param_value(_user_name(self.organiser))
            lines.append(f"ORGANIZER;CN={name}:mailto:{self.organiser.email}")
        for name, email in self.invitees():
            lines.append(
                f"ATTENDEE;CN={ics.param_value(name)};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
                f"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}"
            )
        lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
        return ics.calendar(lines)

    def invitees(self) -> list[tuple[str, str]]:
        """(name, email) of every attendee who has an email address."""
        return [(name, email) for name, email, _ in self.attendees() if email]

    def attendees(self) -> list[tuple[str, str | None, Contact | None]]:
        """(name, email, contact or ``None`` for staff) of every attendee."""
        people = [(str(c), c.email, c) for c in self.contacts]
        return people + [(_user_name(u), u.email, None) for u in self.staff]


class MeetingAction(Model):
    """A follow-up action agreed at a meeting: what, who, by when, and whether it is done."""

    __tablename__ = "meeting_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    meeting: Mapped[Meeting] = relationship(Meeting, back_populates="actions")
    owner: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return self.description or ""

    def violations(self) -> list[MeetingError]:
        errors = []
        if self.meeting is None and self.meeting_id is None:
            errors.append(MeetingError("Choose the meeting this action follows.", "meeting"))
        if _blank(self.description):
            errors.append(MeetingError("Description is required.", "description"))
        elif len(self.description.strip()) > 500:
            errors.append(
                MeetingError("Description must be at most 500 characters long.", "description")
            )
        if self.owner is not None and not is_staff(self.owner):
            errors.append(
                MeetingError(f"{_user_name(self.owner)} is not an agency staff member.", "owner")
            )
        return errors

    def validate(self) -> None:
        """:raise MeetingError: for the first rule this action breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def action_mark_done(self, by: User | None) -> None:
        """Tick the action off; the client's timeline says who did and when. The caller commits."""
        if self.done:
            return
        self.done = True
        record_activity(
            _session(),
            "meeting",
            f"Follow-up done: {self.description} ({self.meeting.title})",
            client_id=self.meeting.client_id,
            subject=self.meeting,
            actor=by,
        )


def _user_name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _span(meeting: Meeting) -> str:
    """``03 Dec 2026 09:00–10:00 UTC`` (the end date shown only when it differs)."""
    if meeting.starts_at is None or meeting.ends_at is None:
        return ""
    start, end = meeting.starts_at, meeting.ends_at
    end_format = "%H:%M" if start.date() == end.date() else "%d %b %Y %H:%M"
    return f"{start:%d %b %Y %H:%M}–{end.strftime(end_format)} UTC"


@event.listens_for(Session, "before_flush")
def _keep_invitation_changes(session, flush_context, instances):
    """Remember what each flush changes on a meeting, for its next ``action_update``."""
    for obj in session.dirty:
        if isinstance(obj, Meeting):
            obj._flushed_changes = obj._flushed_changes | obj._unflushed_changes()


# A contact's meetings belong in their data export; the link rows hold nothing else personal
# (erasure anonymises the contact itself, and the meeting stays on the client's record).
PERSONAL_DATA.append(
    PersonalData(
        "meetings",
        Meeting,
        lambda model, person: model.contacts.any(Contact.id == person.id),
        export=("id", "title", "starts_at", "ends_at", "client.name"),
    )
)
NOT_PERSONAL.add("meeting_contact")
