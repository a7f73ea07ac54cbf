"""The invitation email's text: both languages (the invitation's first), the role, the expiry
in Oslo time, the link; and the link's code kept out of what the delivery log shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifications.domain.invitations import (
    Invitation,
    invitation_link,
    redact_invitation_links,
    render_invitation,
)
from notifications.domain.messages import Channel, Language, MessageKind, render_message

CODE = "k3Y_secret-Code"
LINK = invitation_link("https://samspill.example.no/", CODE)
# 13:00 UTC on 3 March 2026 is 14:00 in Oslo (CET).
INVITATION = Invitation(
    organisation="Skjetten Håndballklubb",
    role="administrator",
    link=LINK,
    expires_at=datetime(2026, 3, 3, 13, tzinfo=UTC),
    invited_by="Kåre Ødegård",
)


def test_the_link_is_the_portals_invitation_page() -> None:
    assert f"https://samspill.example.no/invitasjoner/{CODE}" == LINK
    assert invitation_link("http://127.0.0.1:8000", "a/b c").endswith("/invitasjoner/a%2Fb%20c")


def test_bokmal_first_with_english_alongside() -> None:
    message = render_invitation(INVITATION, Language.NB)
    assert message.subject == (
        "Invitasjon til Skjetten Håndballklubb / Invitation to Skjetten Håndballklubb"
    )
    norwegian, english = message.body.split("* * *")
    assert norwegian.startswith("Hei!\n\nKåre Ødegård har invitert deg til å bli med i ")
    assert "som administrator (kan booke og invitere og fjerne medlemmer)." in norwegian
    assert f"Godta invitasjonen her:\n{LINK}\n" in norwegian
    assert "gjelder til tirsdag 3. mars kl. 14:00 (norsk tid)" in norwegian
    assert "Hilsen Samspill, Lillestrøm kommune" in norwegian
    assert "Kåre Ødegård has invited you to join Skjetten Håndballklubb" in english
    assert f"Accept the invitation here:\n{LINK}\n" in english
    assert "valid until Tuesday 3 March at 14:00 (Norwegian time)" in english


def test_english_first_when_the_invitation_is_in_english() -> None:
    message = render_invitation(INVITATION, Language.EN)
    assert message.subject.startswith("Invitation to")
    assert message.body.startswith("Hello!\n\n")
    assert message.body.index("Regards") < message.body.index("Hei!")


@pytest.mark.parametrize(
    ("role", "nb", "en"),
    [
        ("booker", "booker (kan booke i organisasjonens navn)", "booker (can book in the"),
        ("viewer", "leser (kan se organisasjonens", "viewer (can see the organisation's"),
    ],
)
def test_every_role_is_explained(role: str, nb: str, en: str) -> None:
    body = render_invitation(
        Invitation(INVITATION.organisation, role, LINK, INVITATION.expires_at), Language.NB
    ).body
    assert "Du er invitert til å bli med i" in body, "without an inviter's name"
    assert nb in body
    assert en in body


def test_an_unknown_role_or_a_naive_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        render_invitation(Invitation("Klubben", "owner", LINK, INVITATION.expires_at), Language.NB)
    with pytest.raises(ValueError, match="expires_at"):
        render_invitation(
            Invitation("Klubben", "viewer", LINK, datetime(2026, 3, 3, 14)), Language.NB
        )


def test_the_delivery_log_shows_the_link_without_its_code() -> None:
    body = render_invitation(INVITATION, Language.NB).body
    shown = redact_invitation_links(body)
    assert CODE not in shown
    assert shown.count("https://samspill.example.no/invitasjoner/…") == 2
    other = "Bookingen av Skjetten skole, Gymsal er bekreftet."
    assert redact_invitation_links(other) == other


def test_a_persons_name_from_their_profile_is_greeted() -> None:
    context: dict[str, object] = {
        "centre": "BUA Lillestrøm",
        "items": ["1 hjelm"],
        "pickup": datetime(2026, 2, 13, 15, tzinfo=UTC),
        "due": datetime(2026, 2, 23, 15, tzinfo=UTC),
    }
    named = render_message(
        MessageKind.LOAN_RESERVED, Language.NB, Channel.EMAIL, {**context, "recipient_name": "Kari"}
    )
    assert named.body.startswith("Hei Kari!\n\n")
    assert render_message(MessageKind.LOAN_RESERVED, Language.EN, Channel.EMAIL, context).body
