"""The Streamlit side of access: the sign-in page, the refusal page, the account box.

`session_audience` returns the audience of this session (dashboard/access.py decides
it) or draws a page without data and stops the script. Nothing here reads the URL.
"""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import access
from dashboard import formatting as fmt

LOG = logging.getLogger("hubvalue.access")
TITLE = "Public value dashboard"


def session_audience(ceiling: str) -> access.Decision:
    """The audience of this session; the sign-in, expiry or refusal page otherwise."""
    try:
        settings = access.parse_settings(access.secrets_mapping())
    except access.AccessMisconfigured as problem:
        LOG.error("sign-in settings are not valid: %s", problem)
        st.title(TITLE)
        st.error("Sign-in is not set up correctly on this server, so the dashboard is "
                 "closed. The server log says which setting is wrong.")
        st.stop()
    decision = access.decide(settings, st.user.to_dict(), ceiling)
    if decision.reason == "sign_in":
        sign_in_page(settings)
    elif decision.reason == "expired":
        LOG.info("a sign-in older than %s hours was ended", settings.max_sign_in_hours)
        st.logout()
        st.stop()
    elif decision.reason == "refused":
        LOG.info("a signed-in user matched no role and was refused")
        refused_page()
    return decision


def sign_in_page(settings: access.AccessSettings) -> None:
    st.title(TITLE)
    if not access.sign_in_library_present():
        LOG.error("sign-in is configured but Authlib is not installed (streamlit[auth])")
        st.error("Sign-in is configured but this server lacks the sign-in library, so "
                 "the dashboard is closed. Install it with `pip install 'streamlit[auth]'`.")
        st.stop()
    st.markdown("Sign in with your organisation account to see the dashboard.")
    if st.button("Sign in", type="primary", key="sign_in"):
        if settings.provider:
            st.login(settings.provider)
        else:
            st.login()
    st.stop()


def refused_page() -> None:
    st.title(TITLE)
    st.warning("Your account has not been given access to this dashboard. Ask the hub's "
               "administrator to add you to one of its groups.")
    if st.button("Sign out", key="sign_out_refused"):
        st.logout()
    st.stop()


def account_box(decision: access.Decision) -> None:
    """In the sidebar: who is signed in, and a way out (only when sign-in is on)."""
    if not decision.signed_in:
        return
    if decision.name:
        st.caption(f"Signed in as {fmt.md(decision.name)}")
    if st.button("Sign out", key="sign_out"):
        st.logout()
