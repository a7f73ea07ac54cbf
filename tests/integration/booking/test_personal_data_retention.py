"""The retention jobs with a moved clock: residents' bookings, series and loans that ended more
than the period ago are anonymised (the usage figures unchanged), invitations used or expired
more than the period ago deleted — exactly those, and a second run changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.personal_data.jobs import anonymise_history_due, delete_invitations_due
from samspill.privacy import erased_marker, is_erased_marker
from tests.integration.booking.personal_data_support import (
    EMAIL,
    invite,
    plant,
    sql,
    units,
    usage_figures,
    where_found,
)
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow

YEAR = 365
MONTH = 30


async def test_resident_history_past_its_period_is_anonymised(world: World) -> None:
    planted = await plant(world)
    figures = await usage_figures(world, planted.days[0])
    bookings = await sql(
        world,
        'SELECT id, "end" FROM booking WHERE organisation_id IS NULL ORDER BY "end"',
    )
    assert len(bookings) >= 2  # the own booking and the series' dates
    first_end: datetime = bookings[0].end
    (loan,) = await sql(world, "SELECT updated_at FROM loan")
    jobs = units(world)

    # The day before anything is due: nothing changes.
    earliest = min(first_end, loan.updated_at)
    nothing = await anonymise_history_due(jobs, earliest + timedelta(days=YEAR), YEAR, 1)
    assert nothing.total == 0
    # Just past the first booking's period: that booking (and the loan, if it ended first).
    due = first_end + timedelta(days=YEAR, minutes=1)
    found = await anonymise_history_due(jobs, due, YEAR, 1)
    assert found.bookings == 1
    assert found.loans == (1 if loan.updated_at < first_end else 0)
    rows = await sql(world, 'SELECT id, booker_sub, contact FROM booking ORDER BY "end"')
    by_id = {row.id: row for row in rows}
    assert by_id[bookings[0].id].booker_sub == erased_marker(planted.person_id)
    assert by_id[bookings[0].id].contact is None
    assert by_id[bookings[1].id].booker_sub == planted.person_id
    club = await sql(world, "SELECT booker_sub FROM booking WHERE organisation_id IS NOT NULL")
    assert [row.booker_sub for row in club] == [planted.person_id]  # not the job's to touch

    # A year after everything ended: every resident row, a batch of one at a time.
    late = await sql(world, "SELECT max(last_date) AS last FROM booking_series")
    everything = datetime.combine(
        late[0].last + timedelta(days=YEAR + 2), datetime.min.time(), tzinfo=first_end.tzinfo
    )
    await anonymise_history_due(jobs, everything, YEAR, 1)
    resident_rows = await sql(
        world,
        "SELECT booker_sub FROM booking WHERE organisation_id IS NULL "
        "UNION ALL SELECT booker_sub FROM booking_series WHERE organisation_id IS NULL "
        "UNION ALL SELECT resident_id FROM loan",
    )
    assert all(is_erased_marker(row[0]) for row in resident_rows)
    (loan_after,) = await sql(world, "SELECT contact, damage_notes FROM loan")
    assert (loan_after.contact, loan_after.damage_notes) == ({}, None)
    assert await usage_figures(world, planted.days[0]) == figures
    # The person's profile, membership and club booking are not history: they stay.
    assert await where_found(world, (EMAIL,)) != []
    again = await anonymise_history_due(jobs, everything, YEAR, 1)
    assert again.total == 0


async def test_invitations_past_their_period_are_deleted(world: World) -> None:
    await plant(world)  # one invitation accepted, one pending
    await invite(world, world.organisations[0], "someone.else@example.org")
    withdrawn = await sql(
        world, "SELECT id FROM invitation WHERE email = 'someone.else@example.org'"
    )
    answer = await world.service.client.delete(
        f"/organisations/{world.organisations[0]}/invitations/{withdrawn[0].id}",
        headers=world.member(world.organisations[0]),
    )
    assert answer.status_code == 204
    rows = await sql(
        world, "SELECT id, accepted_at, withdrawn_at, expires_at FROM invitation ORDER BY id"
    )
    assert len(rows) == 3
    done = [r.accepted_at or r.withdrawn_at for r in rows if r.accepted_at or r.withdrawn_at]
    jobs = units(world)

    assert await delete_invitations_due(jobs, min(done) + timedelta(days=MONTH), MONTH, 1) == 0
    late = max(done) + timedelta(days=MONTH, minutes=1)
    deleted = await delete_invitations_due(jobs, late, MONTH, 1)
    assert deleted == 2  # the accepted and the withdrawn; the pending one is still open
    (left,) = await sql(world, "SELECT accepted_at, withdrawn_at, expires_at FROM invitation")
    assert (left.accepted_at, left.withdrawn_at) == (None, None)
    expired = left.expires_at + timedelta(days=MONTH)
    assert await delete_invitations_due(jobs, expired, MONTH, 1) == 0
    gone = await delete_invitations_due(
        jobs, left.expires_at + timedelta(days=MONTH, minutes=1), MONTH, 1
    )
    assert gone == 1
    assert await sql(world, "SELECT id FROM invitation") == []
