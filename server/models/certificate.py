"""Certificates (荣誉证书) and the keys that sign them.

A certificate is issued once per award (entry, kind): its serial carries the season and is
unique across seasons. What the QR code carries is a snapshot signed at issue (holder, title,
award, season, date); the row keeps that snapshot so a later edit of the entry cannot make an
issued certificate fail verification.

Signing keys: Ed25519, one pair generated per deployment on first need and rotated on demand.
The private key is kept in the database, encrypted with a key derived from the app's
SECRET_KEY (services/certificates/keys.py): every web process and worker on any machine signs
with the same key without a shared file system, and a database dump alone does not disclose it.
A retired key stops signing but stays published with its validity dates, so what it signed
stays valid."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class SigningKey(db.Model):
    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))        # raw 32 bytes, base64url
    private_key_enc: Mapped[str] = mapped_column(Text)          # Fernet token (key from SECRET_KEY)
    valid_from: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set when rotated: the key signs nothing after this, and verifies what it signed before.
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)


class Certificate(db.Model):
    __tablename__ = "certificates"
    # One per award and generation: an entry's (entry_id, kind) or a unit's (season, org, award);
    # a replacement (a corrected name) is the next generation, the old one revoked and pointing to it.
    __table_args__ = (UniqueConstraint("entry_id", "kind", "generation", name="uq_certificates_entry_kind_gen"),
                      UniqueConstraint("season_id", "holder_org_id", "award", "generation",
                                       name="uq_certificates_org_award_gen"),
                      Index("ix_certificates_season_award", "season_id", "award"))

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="entry_award")   # entry_award | org_award
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="RESTRICT"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="RESTRICT"), index=True)
    holder_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    # Who is told and may download: the leader's account, else whoever filed the entry.
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # person: the entry's leader; org: a unit (优胜单位) or an organisation-award winner (优秀组织奖)
    holder_kind: Mapped[str] = mapped_column(String(10), default="person", server_default="person")
    holder_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    award: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    issued_on: Mapped[date] = mapped_column(Date)               # China date printed on it
    key_id: Mapped[int] = mapped_column(ForeignKey("signing_keys.id", ondelete="RESTRICT"))
    payload: Mapped[str] = mapped_column(String(400))           # the signed compact payload (base64url)
    signature: Mapped[str] = mapped_column(String(100))         # Ed25519, base64url
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))

    key: Mapped[SigningKey] = relationship(lazy="joined", innerjoin=True)
    replaced_by: Mapped["Certificate | None"] = relationship(remote_side=[id], foreign_keys=[replaced_by_id])
