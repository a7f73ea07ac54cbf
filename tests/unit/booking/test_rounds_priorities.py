"""A round's priorities body and the allocation's weights are one set of names and defaults."""

from dataclasses import fields

from booking.domain.allocation import Priorities
from booking.rounds.schemas import PrioritiesBody


def test_the_body_offers_every_weight_with_the_allocations_default():
    body = PrioritiesBody()
    assert set(PrioritiesBody.model_fields) == {field.name for field in fields(Priorities)}
    assert body.model_dump() == Priorities().__dict__
