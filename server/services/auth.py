"""Login through WeChat, bearer tokens (signed, expiring, revocable), phone binding."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..errors import AppError, ServiceUnavailable, TooManyRequests, Unauthorized
from ..extensions import db
from ..models import AuthSession, Person, RoleAssignment, User
from ..timeutil import utcnow
from ..wechat import gateway
from ..wechat.client import WeChatError, WeChatUnreachable
from .audit import record

log = logging.getLogger(__name__)

BUSY = -1


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="auth-token")


def _wechat_call(fn, *args):
    """Call WeChat once more when it says it is busy; translate its answers for people."""
    for attempt in (1, 2):
        try:
            return fn(*args)
        except WeChatUnreachable:
            if attempt == 2:
                raise ServiceUnavailable("errors.wechat_unavailable", code="wechat_unavailable")
        except WeChatError as exc:
            if exc.errcode == BUSY and attempt == 1:
                continue
            raise _translate(exc)


def _translate(exc: WeChatError) -> AppError:
    if exc.errcode == BUSY:
        return ServiceUnavailable("errors.wechat_busy", code="wechat_busy")
    if exc.errcode == 40029:
        return Unauthorized("errors.login_code_invalid", code="invalid_code", field="code")
    if exc.errcode == 45011:
        return TooManyRequests("errors.login_too_frequent", code="too_frequent")
    if exc.errcode == 40226:
        return AppError("errors.login_user_blocked", code="user_blocked", status=403)
    log.error("unexpected WeChat error during login: %s", exc)
    return ServiceUnavailable("errors.wechat_unavailable", code="wechat_error")


def login(code: str) -> tuple[str, AuthSession]:
    info = _wechat_call(gateway().code_to_session, code)
    openid = info["openid"]
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is None:
        user = User(openid=openid)
        db.session.add(user)
    if info.get("unionid"):
        user.unionid = info["unionid"]
    now = utcnow()
    user.last_login_at = now
    db.session.flush()
    session = AuthSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now,
                          expires_at=now + timedelta(seconds=current_app.config["AUTH_TOKEN_TTL"]),
                          session_key=info.get("session_key"))
    db.session.add(session)
    db.session.commit()
    return _serializer().dumps(session.id), session


# One query for the user, their roles and the login session's two dates: every API request runs
# it. The session is read as columns, not as an object: mapping a fourth entity cost more than
# the columns are worth (README, 基准 / Benchmarks). Built once (with a bound
# parameter) because SQLAlchemy memoises a statement's cache key on the object — rebuilding it
# per request cost as much again as running it.
_SESSION_USER_ROLES = (select(User, AuthSession.revoked_at, AuthSession.expires_at)
                       .join(AuthSession, AuthSession.user_id == User.id).where(AuthSession.id == bindparam("sid"))
                       .options(joinedload(User.roles).joinedload(RoleAssignment.org)))


def authenticate(header: str | None) -> User:
    if not header or not header.startswith("Bearer "):
        raise Unauthorized()
    token = header[len("Bearer "):].strip()
    try:
        session_id = _serializer().loads(token, max_age=current_app.config["AUTH_TOKEN_TTL"])
    except SignatureExpired:
        raise Unauthorized("errors.token_expired", code="token_expired")
    except BadSignature:
        raise Unauthorized("errors.token_invalid", code="token_invalid")
    if not isinstance(session_id, str) or len(session_id) > 64:
        # Signed with our key but not a session id we issued (a list, a number …).
        raise Unauthorized("errors.token_invalid", code="token_invalid")
    row = db.session.execute(_SESSION_USER_ROLES, {"sid": session_id}).unique().first()
    if row is None:
        raise Unauthorized("errors.token_invalid", code="token_invalid")
    user, revoked_at, expires_at = row
    if revoked_at is not None:
        raise Unauthorized("errors.token_revoked", code="token_revoked")
    if expires_at <= utcnow():
        raise Unauthorized("errors.token_expired", code="token_expired")
    return user


def session_user(session_id: str) -> User | None:
    """The user of a live login session (not revoked, not expired), else None: the console's
    cookie names a login session as a bearer token does, so revoking it ends both alike."""
    row = db.session.execute(_SESSION_USER_ROLES, {"sid": session_id}).unique().first()
    if row is None:
        return None
    user, revoked_at, expires_at = row
    return user if revoked_at is None and expires_at > utcnow() else None


def open_session(user: User, ttl_seconds: int, how: str) -> AuthSession:
    """A new login session for a user already identified (a desk login confirmed by phone)."""
    now = utcnow()
    session = AuthSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now,
                          expires_at=now + timedelta(seconds=ttl_seconds))
    user.last_login_at = now
    db.session.add(session)
    record(user, "console_login", "user", user.id, data={"how": how})
    db.session.commit()
    return session


def end_session(session_id: str) -> None:
    session = db.session.get(AuthSession, session_id)
    if session and session.revoked_at is None:
        session.revoked_at = utcnow()
        db.session.commit()


def session_id_of(token: str) -> str | None:
    session_id = _serializer().loads(token)
    return session_id if isinstance(session_id, str) else None


def logout(token: str) -> None:
    session_id = session_id_of(token)
    session = db.session.get(AuthSession, session_id) if session_id else None
    if session and session.revoked_at is None:
        session.revoked_at = utcnow()
        db.session.commit()


def user_by_openid(openid: str) -> User | None:
    return db.session.scalar(select(User).where(User.openid == openid))


def revoke_all(user: User, actor: User | None = None) -> int:
    now = utcnow()
    sessions = db.session.scalars(select(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))).all()
    for s in sessions:
        s.revoked_at = now
    record(actor, "sessions_revoked", "user", user.id, data={"count": len(sessions)})
    db.session.commit()
    return len(sessions)


def bind_phone(user: User, code: str) -> User:
    info = _phone(code)
    previous = user.phone
    user.phone = info["purePhoneNumber"]
    if previous != user.phone:
        record(user, "phone_bound", "user", user.id)
    # People registered by someone else (a farmer by an e-station agent) become this user's.
    for person in db.session.scalars(select(Person).where(
            Person.phone == user.phone, Person.user_id.is_(None))):
        person.user_id = user.id
        record(user, "person_linked", "person", person.id)
    # Roles an office promised to this phone (console: invite by phone) apply now.
    from .people_admin import apply_invitations
    apply_invitations(user)
    db.session.commit()
    return user


def _phone(code: str) -> dict:
    try:
        return _wechat_call(gateway().get_phone_number, code)
    except Unauthorized:
        # 40029 on a phone code means the phone code, not the login, is bad.
        raise AppError("errors.phone_code_invalid", code="invalid_phone_code", field="code")
