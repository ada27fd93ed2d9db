"""What the rule tests share."""

import pytest

from extensions import db
from models import ClientValidationError


def refused(record, field: str) -> str:
    """Saving ``record`` is refused by a rule on ``field``; returns the rule's message."""
    db.session.add(record)
    with pytest.raises(ClientValidationError) as caught:
        db.session.commit()
    db.session.rollback()
    assert caught.value.field == field, caught.value.message
    return caught.value.message
