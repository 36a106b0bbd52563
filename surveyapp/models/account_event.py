"""The audit table of account events: sign-ins, second factor, passwords, links, tokens.

A row says when, what kind, whose account (if known) and who acted. It never holds
a password, one-time code, recovery code, link or API token, the email typed for an
account that does not exist, or anything about the client (no address, no browser):
anonymity rule 5 covers the whole server. ``partnership_id`` is the account's
partnership, so the staff console shows each partnership only its own users' events.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .account import User

#: Every kind of event; the console's wording for each is in accounts/audit.py.
EVENT_KINDS = (
    "sign_in",
    "sign_in_failed",
    "code_failed",
    "sign_in_limited",
    "second_factor_enrolled",
    "second_factor_removed",
    "recovery_code_used",
    "recovery_keys_renewed",
    "password_changed",
    "password_set_by_link",
    "invite_link_made",
    "reset_link_made",
    "api_token_made",
    "api_token_revoked",
    "account_switched_off",
    "account_switched_on",
)
#: Where the action came from: a web page, or the ``surveyapp`` command line.
VIA = ("web", "command_line")


class AccountEvent(Base):
    __tablename__ = "account_events"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in EVENT_KINDS) + ")", name="kind"),
        CheckConstraint("via IN ('web', 'command_line')", name="via"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: The account concerned; None for a sign-in attempt on an account that does not
    #: exist ("unknown account").
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The signed-in user who acted; None when nobody was signed in (a sign-in
    #: attempt) or the command line acted.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id"), index=True)
    via: Mapped[str] = mapped_column(String(12), default="web")

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
