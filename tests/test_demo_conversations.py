"""The demo's conversations (admin/demo_conversations.py): two Bayanihan threads, once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from admin.demo import load_demo
from extensions import db
from models import Conversation, ConversationMessage, OutboxMessage


@pytest.fixture
def demo(ctx):
    return load_demo()


def test_bayanihan_has_a_general_thread_and_one_about_its_job_order(demo):
    threads = db.session.scalars(select(Conversation).order_by(Conversation.id)).all()
    assert [t.client.short_name.upper() for t in threads] == ["BAYANIHAN", "BAYANIHAN"]
    assert [t.context_type for t in threads] == ["client", "job_order"]
    assert threads[1].context.title == "Plant Operations Manager"
    assert all(len(t.messages) == 2 for t in threads)
    assert {m.side for t in threads for m in t.messages} == {"staff", "client"}
    # The last word is the client's in the second one: the agency has it unread.
    assert threads[1].staff_unread == 1


def test_loading_the_demo_twice_adds_no_thread_and_sends_no_mail(demo):
    db.session.remove()
    load_demo()
    assert db.session.scalar(select(func.count(Conversation.id))) == 2
    assert db.session.scalar(select(func.count(ConversationMessage.id))) == 4
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "conversation_message")
        )
        == 0
    )
