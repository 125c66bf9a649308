"""Who is looking: the audience of a session, decided on the server.

Without sign-in (no ``[auth]`` section in ``.streamlit/secrets.toml``) every session gets
the audience the app was started with (``hubvalue serve --audience``). With sign-in,
Streamlit's OpenID Connect login (``st.login``) identifies the user and the role map in
``[hubvalue.roles]`` turns their claims into an audience; the start-up audience is then a
ceiling (a server started for ``public`` never shows more, whoever signs in). Nothing on
the page or in the URL takes part. See docs/security.md.

The role map (secrets.toml)::

    [hubvalue.roles]
    manager = ["group:<hub managers group id>"]
    pcc = ["group:<PCC performance team id>", "domain:pcc.example.gov.uk"]
    public = ["domain:hub.example.org"]

    [hubvalue.access]
    groups_claim = "groups"    # the claim listing the user's groups or app roles
    unmapped = "public"        # signed-in users no rule matches: "public" or "refuse"
    max_sign_in_hours = 12     # ask for a fresh sign-in after this long

A rule is ``group:NAME`` (NAME is in the groups claim), ``email:ADDRESS`` (the email
claim, any case) or ``domain:DOMAIN`` (the email's domain). Email rules ignore an email
the provider marks unverified (``email_verified = false``). A user matched by several
roles gets the widest.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from metrics.queries import AUDIENCES

LOG = logging.getLogger("hubvalue.access")
WIDEST_FIRST = ("manager", "pcc", "public")
RULE_KINDS = ("group", "email", "domain")
UNMAPPED_CHOICES = ("public", "refuse")
DEFAULT_MAX_SIGN_IN_HOURS = 12.0


class AccessMisconfigured(ValueError):
    """The role map in the secrets is not valid (the message names the setting, not users)."""


@dataclass(frozen=True)
class AccessSettings:
    sign_in: bool = False
    provider: str | None = None
    groups_claim: str = "groups"
    email_claim: str = "email"
    unmapped: str = "public"
    max_sign_in_hours: float = DEFAULT_MAX_SIGN_IN_HOURS
    rules: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def narrower(first: str, second: str) -> str:
    """The narrower of two audiences (public < pcc < manager)."""
    return max(first, second, key=WIDEST_FIRST.index)


def parse_settings(secrets: Mapping) -> AccessSettings:
    """The access settings from the secrets (a mapping shaped like secrets.toml)."""
    auth = secrets.get("auth") if secrets else None
    hubvalue = (secrets.get("hubvalue") if secrets else None) or {}
    access = hubvalue.get("access") or {}
    roles = hubvalue.get("roles") or {}
    unknown_roles = set(roles) - set(AUDIENCES)
    if unknown_roles:
        raise AccessMisconfigured(
            f"[hubvalue.roles] may name only {', '.join(AUDIENCES)} "
            f"({len(unknown_roles)} other name(s) found)")
    rules = {}
    for role, entries in roles.items():
        if isinstance(entries, str) or not isinstance(entries, list | tuple):
            raise AccessMisconfigured(f"[hubvalue.roles] {role} must be a list of rules")
        parsed = []
        for entry in entries:
            kind, _, value = str(entry).partition(":")
            if kind not in RULE_KINDS or not value.strip():
                raise AccessMisconfigured(
                    f"[hubvalue.roles] {role}: every rule is group:NAME, email:ADDRESS or "
                    "domain:DOMAIN")
            parsed.append((kind, value.strip()))
        rules[role] = tuple(parsed)
    unmapped = str(access.get("unmapped", "public"))
    if unmapped not in UNMAPPED_CHOICES:
        raise AccessMisconfigured("[hubvalue.access] unmapped must be 'public' or 'refuse'")
    try:
        hours = float(access.get("max_sign_in_hours", DEFAULT_MAX_SIGN_IN_HOURS))
    except (TypeError, ValueError):
        raise AccessMisconfigured("[hubvalue.access] max_sign_in_hours must be a number") from None
    if not hours > 0:
        raise AccessMisconfigured("[hubvalue.access] max_sign_in_hours must be above 0")
    provider = access.get("provider")
    return AccessSettings(
        sign_in=bool(auth),
        provider=str(provider) if provider else None,
        groups_claim=str(access.get("groups_claim", "groups")),
        email_claim=str(access.get("email_claim", "email")),
        unmapped=unmapped,
        max_sign_in_hours=hours,
        rules=rules,
    )


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return [str(value)]


def _verified_email(claims: Mapping, settings: AccessSettings) -> str | None:
    email = claims.get(settings.email_claim)
    if not isinstance(email, str) or "@" not in email:
        return None
    if claims.get("email_verified") is False or str(claims.get("email_verified")).lower() == "false":
        return None
    return email.strip().lower()


def _matches(kind: str, value: str, claims: Mapping, settings: AccessSettings) -> bool:
    if kind == "group":
        return value in _as_list(claims.get(settings.groups_claim))
    email = _verified_email(claims, settings)
    if email is None:
        return False
    if kind == "email":
        return email == value.lower()
    return email.rpartition("@")[2] == value.lower().lstrip("@")


def role_for(claims: Mapping, settings: AccessSettings) -> str | None:
    """The widest role whose rules match the user's claims; None if no rule matches."""
    for role in WIDEST_FIRST:
        if any(_matches(kind, value, claims, settings)
               for kind, value in settings.rules.get(role, ())):
            return role
    return None


def sign_in_too_old(claims: Mapping, settings: AccessSettings, now: dt.datetime | None = None
                    ) -> bool:
    """Whether the sign-in (the identity token's issue time, `iat`) is older than allowed.

    Streamlit keeps the identity cookie for 30 days; the policy here is shorter. A token
    without a readable issue time counts as too old."""
    issued = claims.get("iat")
    try:
        issued_at = dt.datetime.fromtimestamp(float(issued), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return True
    now = now or dt.datetime.now(tz=dt.UTC)
    return now - issued_at > dt.timedelta(hours=settings.max_sign_in_hours)


@dataclass(frozen=True)
class Decision:
    """What a session may see: an audience, or why not (sign in, signed out, refused)."""

    audience: str | None
    reason: str = ""  # '', 'sign_in', 'expired', 'refused'
    signed_in: bool = False
    name: str = ""


def decide(settings: AccessSettings, user: Mapping, ceiling: str,
           now: dt.datetime | None = None) -> Decision:
    """The audience for a session (pure: the Streamlit side is in `session_access`)."""
    if ceiling not in AUDIENCES:
        ceiling = "public"
    if not settings.sign_in:
        return Decision(ceiling)
    if not user.get("is_logged_in"):
        return Decision(None, "sign_in")
    if sign_in_too_old(user, settings, now):
        return Decision(None, "expired")
    name = str(user.get("name") or user.get(settings.email_claim) or "")
    role = role_for(user, settings)
    if role is None:
        if settings.unmapped == "refuse":
            return Decision(None, "refused", True, name)
        role = "public"
    return Decision(narrower(role, ceiling), "", True, name)


def sign_in_library_present() -> bool:
    """Streamlit's st.login needs Authlib (installed with `streamlit[auth]`)."""
    return importlib.util.find_spec("authlib") is not None


def secrets_mapping() -> Mapping:
    """The app's secrets as a plain mapping ({} when there is no secrets file).

    A secrets file that exists but cannot be read is an error, not "no sign-in":
    otherwise a typo in it would open the dashboard to everyone at the start-up audience."""
    import streamlit as st
    from streamlit import config

    if st.secrets.load_if_toml_exists():
        try:
            return st.secrets.to_dict()
        except Exception:  # noqa: BLE001 - the message could quote the file
            raise AccessMisconfigured("the secrets file could not be read") from None
    if any(Path(p).exists() for p in config.get_option("secrets.files")):
        raise AccessMisconfigured("the secrets file could not be read")
    return {}
