"""Recipients: who a message goes to, on which channel and in which language.

A recipient is named by a key: `organisation:<id>` (the organisation's contact), `site:<id>`
(the site's function address, e.g. the school office), `resident:<person id>` (the person's
profile, else the contact they gave with a loan or their own booking) or `invitee:<invitation
id>` (the address an organisation invited). The contact details come from events; a preference
row set through the API overrides the channel and language the events carry (for a person with
a profile, the newer of the two choices counts).
"""

from __future__ import annotations

from dataclasses import dataclass

from notifications.domain.messages import Channel, Language

RECIPIENT_KINDS = ("organisation", "site", "resident", "invitee")


def recipient_key(kind: str, subject: object) -> str:
    if kind not in RECIPIENT_KINDS:
        raise ValueError(f"unknown recipient kind {kind!r}")
    return f"{kind}:{subject}"


@dataclass(frozen=True, slots=True)
class Recipient:
    key: str
    email: str | None
    phone: str | None
    channel: Channel = Channel.EMAIL
    language: Language = Language.NB
    name: str | None = None  # how a person named themselves (their profile), for the greeting

    def address(self, *, sms: bool) -> tuple[Channel, str | None]:
        """The preferred channel when its address is known, else the other one.

        Without an SMS provider (`sms` false) only email is used: a phone number alone leaves
        the recipient without an address, so nothing is pretended sent.
        """
        phone = self.phone if sms else None
        preferred = phone if self.channel is Channel.SMS else self.email
        if preferred:
            return self.channel, preferred
        if self.email:
            return Channel.EMAIL, self.email
        if phone:
            return Channel.SMS, phone
        return (self.channel if sms else Channel.EMAIL), None
