"""The invitation email: an organisation administrator invites someone to join it.

The invitee is known only by an email address, so the message is always an email, written in
both languages: the invitation's language first, the other after it. Its link carries the
invitation's single-use code, which is a secret: nothing but the email itself may show it, so
the delivery log shows the link without its code (`redact_invitation_links`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from notifications.domain.localtime import require_aware
from notifications.domain.messages import RenderedMessage
from notifications.domain.timefmt import Language, format_moment

INVITATION_KIND = "invitation"  # the message kind (not a `MessageKind`: it has its own layout)
INVITATION_PATH = "/invitasjoner/"

_ROLES = {
    Language.NB: {
        "administrator": "administrator (kan booke og invitere og fjerne medlemmer)",
        "booker": "booker (kan booke i organisasjonens navn)",
        "viewer": "leser (kan se organisasjonens bookinger og kalender)",
    },
    Language.EN: {
        "administrator": "administrator (can book, and invite and remove members)",
        "booker": "booker (can book in the organisation's name)",
        "viewer": "viewer (can see the organisation's bookings and calendar)",
    },
}
_SEPARATOR = "* * *"
_LINK = re.compile(re.escape(INVITATION_PATH) + r"[^\s/]+")


@dataclass(frozen=True, slots=True)
class Invitation:
    """What the invitation email tells."""

    organisation: str
    role: str  # administrator, booker or viewer
    link: str
    expires_at: datetime
    invited_by: str | None = None


def invitation_link(portal_url: str, code: str) -> str:
    """`{PORTAL_URL}/invitasjoner/{code}`, the page where the invitee accepts."""
    return f"{portal_url.rstrip('/')}{INVITATION_PATH}{quote(code, safe='')}"


def render_invitation(invitation: Invitation, language: Language) -> RenderedMessage:
    """Subject and body in both languages, `language` first."""
    if invitation.role not in _ROLES[Language.NB]:
        raise ValueError(f"unknown organisation role {invitation.role!r}")
    require_aware(invitation.expires_at, "expires_at")
    order = (language, Language.EN if language is Language.NB else Language.NB)
    subject = " / ".join(_subject(invitation, lang) for lang in order)
    body = f"\n{_SEPARATOR}\n\n".join(_body(invitation, lang) for lang in order)
    return RenderedMessage(subject, body)


def redact_invitation_links(text: str) -> str:
    """The text with every invitation link's code replaced by `…`."""
    return _LINK.sub(f"{INVITATION_PATH}…", text)


def _subject(invitation: Invitation, language: Language) -> str:
    if language is Language.NB:
        return f"Invitasjon til {invitation.organisation}"
    return f"Invitation to {invitation.organisation}"


def _body(invitation: Invitation, language: Language) -> str:
    role = _ROLES[language][invitation.role]
    until = format_moment(invitation.expires_at, language)
    who = invitation.invited_by
    if language is Language.NB:
        invited = f"{who} har invitert deg" if who else "Du er invitert"
        paragraphs = [
            "Hei!",
            f"{invited} til å bli med i {invitation.organisation} i Samspill som {role}.",
            f"Godta invitasjonen her:\n{invitation.link}",
            f"Lenken kan brukes én gang og gjelder til {until} (norsk tid). Vil du ikke bli med, "
            "kan du se bort fra denne e-posten.",
            "Hilsen Samspill, Lillestrøm kommune",
        ]
    else:
        invited = f"{who} has invited you" if who else "You are invited"
        paragraphs = [
            "Hello!",
            f"{invited} to join {invitation.organisation} in Samspill as {role}.",
            f"Accept the invitation here:\n{invitation.link}",
            f"The link can be used once and is valid until {until} (Norwegian time). If you do "
            "not want to join, you can ignore this email.",
            "Regards, Samspill, Lillestrøm municipality",
        ]
    return "\n\n".join(paragraphs) + "\n"
