"""Who sees what: sign-in, the role map, the start-up audience as a ceiling, and caches.

The role map and the decisions are tested as plain functions on hand-written claims;
the app is run under AppTest with a simulated signed-in user (AppTest.user, the claims
the app reads as st.user) for every role, with placeholder sign-in secrets
(AppTest.secrets). Nothing leaves the machine: st.login and st.logout are replaced by
recorders where a test presses the buttons.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import logging
import pkgutil
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import dashboard
from dashboard import access, data
from metrics import queries
from tests.app_support import write_mart_fixture, write_model_fixture

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
COPED = "People who cope better by the end of support"
AUTH = {
    # placeholders: AppTest never contacts a provider
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "placeholder-cookie-secret",
    "client_id": "placeholder-client-id",
    "client_secret": "placeholder-client-secret",
    "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
}
ROLES = {
    "manager": ["group:hub-managers", "email:lead@hub.example.org"],
    "pcc": ["group:pcc-office", "domain:pcc.example.gov.uk"],
    "public": ["domain:example.org"],
}


def secrets(unmapped: str = "public", roles: dict | None = None, **access_settings) -> dict:
    return {"auth": dict(AUTH),
            "hubvalue": {"roles": roles if roles is not None else ROLES,
                         "access": {"groups_claim": "groups", "unmapped": unmapped,
                                    **access_settings}}}


def user(groups=(), email="someone@elsewhere.example.net", name="Test User", hours_ago=0.5,
         **claims) -> dict:
    groups = groups if isinstance(groups, str) else list(groups)
    return {"is_logged_in": True, "email": email, "name": name, "groups": groups,
            "iat": time.time() - hours_ago * 3600, **claims}


MANAGER = user(groups=["hub-managers"])
PCC = user(groups=["pcc-office"])
PUBLIC = user(email="resident@example.org")
NOBODY = user()


# --- the role map as functions -------------------------------------------------------------


def test_role_map_reads_groups_emails_and_domains():
    settings = access.parse_settings(secrets())
    assert access.role_for(MANAGER, settings) == "manager"
    assert access.role_for(PCC, settings) == "pcc"
    assert access.role_for(user(email="Lead@Hub.Example.org"), settings) == "manager"
    assert access.role_for(user(email="analyst@pcc.example.gov.uk"), settings) == "pcc"
    assert access.role_for(PUBLIC, settings) == "public"
    assert access.role_for(NOBODY, settings) is None
    # a look-alike domain is not the domain
    assert access.role_for(user(email="x@evilpcc.example.gov.uk"), settings) is None
    assert access.role_for(user(email="x@pcc.example.gov.uk.evil.net"), settings) is None


def test_the_widest_matching_role_wins_and_unverified_emails_do_not_count():
    settings = access.parse_settings(secrets())
    both = user(groups=["pcc-office", "hub-managers"])
    assert access.role_for(both, settings) == "manager"
    unverified = user(email="analyst@pcc.example.gov.uk", email_verified=False)
    assert access.role_for(unverified, settings) is None
    # a single group given as a string, as some providers send it
    assert access.role_for(user(groups="pcc-office"), settings) == "pcc"


def test_the_start_up_audience_is_a_ceiling():
    settings = access.parse_settings(secrets())
    assert access.decide(settings, MANAGER, "manager").audience == "manager"
    assert access.decide(settings, MANAGER, "pcc").audience == "pcc"
    assert access.decide(settings, MANAGER, "public").audience == "public"
    assert access.decide(settings, PUBLIC, "manager").audience == "public"
    assert access.narrower("pcc", "manager") == "pcc"
    assert access.narrower("public", "pcc") == "public"


def test_unmapped_users_see_public_or_are_refused_as_configured():
    assert access.decide(access.parse_settings(secrets()), NOBODY, "manager").audience \
        == "public"
    refused = access.decide(access.parse_settings(secrets("refuse")), NOBODY, "manager")
    assert refused.audience is None and refused.reason == "refused"


def test_without_sign_in_the_start_up_audience_applies_whatever_the_claims_say():
    settings = access.parse_settings({})
    assert not settings.sign_in
    assert access.decide(settings, MANAGER, "pcc").audience == "pcc"
    assert access.decide(settings, {}, "public").audience == "public"
    assert access.decide(settings, {}, "everyone").audience == "public"


def test_signed_out_and_stale_sign_ins_get_no_audience():
    settings = access.parse_settings(secrets(max_sign_in_hours=12))
    assert access.decide(settings, {"is_logged_in": False}, "manager").reason == "sign_in"
    assert access.decide(settings, {}, "manager").reason == "sign_in"
    now = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
    issued = lambda hours: (now - dt.timedelta(hours=hours)).timestamp()  # noqa: E731
    assert access.decide(settings, {**MANAGER, "iat": issued(11.9)}, "manager", now).audience \
        == "manager"
    assert access.decide(settings, {**MANAGER, "iat": issued(12.1)}, "manager", now).reason \
        == "expired"
    no_time = {k: v for k, v in MANAGER.items() if k != "iat"}
    assert access.decide(settings, no_time, "manager", now).reason == "expired"


@pytest.mark.parametrize("bad", [
    {"roles": {"admin": ["group:x"]}},
    {"roles": {"manager": "group:x"}},
    {"roles": {"manager": ["team:x"]}},
    {"roles": {"manager": ["group:"]}},
    {"access": {"unmapped": "manager"}},
    {"access": {"max_sign_in_hours": "soon"}},
    {"access": {"max_sign_in_hours": 0}},
])
def test_a_wrong_role_map_is_refused(bad):
    with pytest.raises(access.AccessMisconfigured):
        access.parse_settings({"auth": dict(AUTH), "hubvalue": bad})


# --- the app under AppTest, one simulated user per role ----------------------------------


@pytest.fixture(scope="module")
def model_db(tmp_path_factory) -> Path:
    return write_model_fixture(tmp_path_factory.mktemp("model") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def mart_db(tmp_path_factory) -> Path:
    return write_mart_fixture(tmp_path_factory.mktemp("mart") / "warehouse.duckdb")


def open_as(monkeypatch, db: Path, who: dict | None, settings: dict | None = None,
            ceiling: str = "manager", params: dict | None = None, page: str | None = None
            ) -> AppTest:
    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", ceiling)
    at = AppTest.from_file(APP, default_timeout=60)
    if settings is not None:
        at.secrets = settings
    if who is not None:
        at.user = who
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.title,
                               *at.header, *at.success, *at.error)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def audience_shown(at: AppTest) -> str:
    return at.sidebar.markdown[0].value


def shows_no_data(at: AppTest) -> bool:
    return (not at.metric and not at.dataframe and not at.get("plotly_chart")
            and not at.sidebar.markdown and not at.selectbox)


# Q4 of 2025/26 (January to March 2026) with an agency cut in the URL. In model_db the
# hate crime service was involved in r1 only, who coped better: 1 of 1 = 100% for the
# manager. The whole hub in February: 2 of 3. Both are below 8 people: a pcc cut by the
# (sensitive) hate crime service and every public figure are suppressed.
AGENCY_CUT = {"period": "Financial quarter", "quarter": "2025/26-Q4",
              "agency": "Hate crime service", "audience": "manager", "role": "manager"}


def coped_metric(at: AppTest):
    hits = [m for m in at.metric if m.label.replace("\\", "") == COPED]
    return hits[0].value if hits else None


def test_a_signed_in_manager_gets_the_manager_view(monkeypatch, model_db):
    at = open_as(monkeypatch, model_db, MANAGER, secrets(), params=AGENCY_CUT)
    assert not at.exception
    assert audience_shown(at) == "**Hub manager view**"
    assert at.selectbox(key="agency").value == "hate_crime"
    assert coped_metric(at) == "100.0%"
    assert "Signed in as Test User" in texts(at)


def test_a_signed_in_pcc_user_gets_controlled_figures_whatever_the_url_says(monkeypatch,
                                                                           model_db):
    at = open_as(monkeypatch, model_db, PCC, secrets(), params=AGENCY_CUT)
    assert not at.exception
    assert audience_shown(at) == "**PCC office view**"
    # the agency cut is allowed for pcc, but the hate crime service is a sensitive
    # dimension: 1 person is suppressed, never shown as 100% or 1 of 1
    assert coped_metric(at) is None
    assert "Suppressed (small number)" in texts(at)
    assert "1 of 1" not in texts(at)


def test_a_pcc_user_cannot_see_the_exception_lists(monkeypatch, mart_db):
    manager = open_as(monkeypatch, mart_db, MANAGER, secrets(), page="operations")
    assert not manager.exception
    assert "Cases past a deadline" in [h.value for h in manager.header]
    listed = [d.value for d in manager.dataframe if "referral_id" in d.value.columns]
    # mart fixture: r1 (deadline 6 January), r2 (3 June), r3 (29 June) are not contacted,
    # not closed and past their deadline at the as-of date 30 June 2026
    assert sorted(listed[0]["referral_id"]) == ["r1", "r2", "r3"]
    pcc = open_as(monkeypatch, mart_db, PCC, secrets(), page="operations",
                  params={"audience": "manager"})
    assert not pcc.exception
    assert "Cases past a deadline" not in [h.value for h in pcc.header]
    assert not [d for d in pcc.dataframe if "referral_id" in d.value.columns]
    assert "r1" not in texts(pcc).split()


def test_a_public_user_gets_only_published_tables_even_if_the_url_asks_for_a_cut(
        monkeypatch, model_db):
    at = open_as(monkeypatch, model_db, PUBLIC, secrets(),
                 params={**AGENCY_CUT, "crime": "Theft", "period": "Month range",
                         "months": ["2026-02", "2026-02"]})
    assert not at.exception
    assert audience_shown(at) == "**Public view**"
    assert not [s for s in at.selectbox if s.key in ("agency", "crime")]
    # no month range or year for the public: the published quarters only
    assert at.radio(key="period").options == ["Financial quarter"]
    assert coped_metric(at) is None
    assert "Hate crime" not in texts(at)
    # the pages for managers and the PCC office are not in its navigation at all
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/operations.py").run()


def test_an_unmapped_user_sees_the_public_view_by_default(monkeypatch, model_db):
    at = open_as(monkeypatch, model_db, NOBODY, secrets(), params=AGENCY_CUT)
    assert not at.exception
    assert audience_shown(at) == "**Public view**"


def test_an_unmapped_user_is_refused_when_configured(monkeypatch, model_db):
    at = open_as(monkeypatch, model_db, NOBODY, secrets("refuse"), params=AGENCY_CUT)
    assert not at.exception
    assert shows_no_data(at)
    assert "has not been given access" in texts(at)
    assert [b.label for b in at.button] == ["Sign out"]


def test_the_start_up_audience_caps_a_signed_in_manager(monkeypatch, model_db):
    at = open_as(monkeypatch, model_db, MANAGER, secrets(), ceiling="public", params=AGENCY_CUT)
    assert not at.exception
    assert audience_shown(at) == "**Public view**"
    assert coped_metric(at) is None


def test_without_sign_in_the_start_up_audience_is_served(monkeypatch, model_db):
    # claims of a manager and a URL asking for the manager view change nothing
    at = open_as(monkeypatch, model_db, MANAGER, None, ceiling="pcc", params=AGENCY_CUT)
    assert not at.exception
    assert audience_shown(at) == "**PCC office view**"
    assert "Signed in as" not in texts(at)


def test_a_visitor_who_has_not_signed_in_sees_only_the_sign_in_button(monkeypatch, model_db):
    monkeypatch.setattr(access, "sign_in_library_present", lambda: True)
    calls = []
    monkeypatch.setattr(st, "login", lambda *args: calls.append(args))
    at = open_as(monkeypatch, model_db, {"is_logged_in": False}, secrets(), params=AGENCY_CUT)
    assert not at.exception
    assert shows_no_data(at)
    [button] = at.button
    assert button.label == "Sign in"
    button.click().run()
    assert calls == [()]
    assert shows_no_data(at)


def test_the_sign_in_button_uses_the_configured_provider(monkeypatch, model_db):
    monkeypatch.setattr(access, "sign_in_library_present", lambda: True)
    calls = []
    monkeypatch.setattr(st, "login", lambda *args: calls.append(args))
    at = open_as(monkeypatch, model_db, {"is_logged_in": False},
                 secrets(provider="microsoft"))
    at.button[0].click().run()
    assert calls == [("microsoft",)]


def test_sign_in_without_its_library_closes_the_dashboard(monkeypatch, model_db):
    monkeypatch.setattr(access, "sign_in_library_present", lambda: False)
    at = open_as(monkeypatch, model_db, {"is_logged_in": False}, secrets())
    assert not at.exception
    assert shows_no_data(at) and not at.button
    assert "lacks the sign-in library" in texts(at)


def test_a_stale_sign_in_is_ended(monkeypatch, model_db):
    calls = []
    monkeypatch.setattr(st, "logout", lambda: calls.append("logout"))
    at = open_as(monkeypatch, model_db, user(groups=["hub-managers"], hours_ago=13),
                 secrets(max_sign_in_hours=12))
    assert not at.exception
    assert calls == ["logout"]
    assert shows_no_data(at)


def test_a_broken_role_map_closes_the_dashboard(monkeypatch, model_db, caplog):
    with caplog.at_level(logging.ERROR, logger="hubvalue.access"):
        at = open_as(monkeypatch, model_db, MANAGER,
                     secrets(roles={"manager": ["group:hub-managers"], "admins": ["group:x"]}))
    assert not at.exception
    assert shows_no_data(at)
    assert "not set up correctly" in texts(at)
    assert any("hubvalue.roles" in r.getMessage() for r in caplog.records)


def test_a_user_name_is_escaped_in_the_sidebar(monkeypatch, model_db):
    at = open_as(monkeypatch, model_db, {**MANAGER, "name": "[x](javascript:alert(1))"},
                 secrets())
    caption = [c.value for c in at.sidebar.caption if c.value.startswith("Signed in as")][0]
    assert caption == r"Signed in as \[x\]\(javascript\:alert\(1\)\)"


def test_an_unreadable_secrets_file_closes_the_dashboard(monkeypatch, tmp_path):
    from streamlit import config
    from streamlit.runtime import secrets as secrets_module

    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\nclient_id = ")
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(broken)])
    fresh = secrets_module.Secrets()
    monkeypatch.setattr(st, "secrets", fresh)
    try:
        with pytest.raises(access.AccessMisconfigured):
            access.secrets_mapping()
    finally:
        config.set_option("secrets.files", saved)


# --- caches never cross audiences ----------------------------------------------------------


def cached_functions():
    """Every st.cache_data / st.cache_resource function in the dashboard package."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    found = {}
    for info in pkgutil.iter_modules(dashboard.__path__):
        if info.name == "app":  # the script itself (runs main() on import)
            continue
        module = importlib.import_module(f"dashboard.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, CachedFunc):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_cached_query_result_is_keyed_by_audience():
    found = cached_functions()
    assert "data._run" in found
    for name, cached in found.items():
        parameters = inspect.signature(cached._info.func).parameters
        hashed = [p for p in parameters if not p.startswith("_")]
        if name == "data._snapshot":
            # the shared connection holds no results: file path and stamp only
            assert hashed == ["path", "stamp"]
            continue
        assert "audience" in hashed, f"{name} caches results without the audience"
    # pages and the app script cache nothing themselves
    root = Path(dashboard.__file__).parent
    for script in [root / "app.py", *sorted((root / "views").glob("*.py"))]:
        assert "cache_data" not in script.read_text() and "cache_resource" not in \
            script.read_text(), script.name


def test_a_cached_manager_result_is_not_served_to_pcc_or_public(mart_db):
    first, last = dt.date(2026, 1, 1), dt.date(2026, 6, 1)
    filters = queries.Filters(first, last)
    with data.leased_snapshot(str(mart_db)) as snapshot:
        def lgbt(audience):
            frame = data.run(snapshot, audience, "indicator_by_agency", filters)
            row = frame[(frame["indicator_id"] == "coped_better_at_exit")
                        & (frame["agency"] == "lgbt")].iloc[0]
            return row["numerator"], row["denominator"], row["value"]

        # lgbt, January to June 2026: 3 of 5 each month -> 18 of 30 = 0.6 (manager)
        assert lgbt("manager") == (18.0, 30.0, pytest.approx(0.6))
        # pcc: the lgbt service is a sensitive cut: 18 -> 20 and 30 -> 30 (rounded to 5),
        # rate from the rounded parts 20 / 30
        assert lgbt("pcc") == (20.0, 30.0, pytest.approx(20 / 30))
        assert lgbt("manager") == (18.0, 30.0, pytest.approx(0.6))
        listed = data.run(snapshot, "manager", "exceptions", filters)
        assert len(listed) == 3
        with pytest.raises(queries.NotPermitted):
            data.run(snapshot, "pcc", "exceptions", filters)
        with pytest.raises(queries.NotPermitted):
            data.run(snapshot, "public", "indicator_by_agency", filters)


def test_the_query_layer_refuses_what_an_audience_may_not_run(mart_db):
    snapshot = queries.WarehouseSnapshot(mart_db)
    try:
        for name, entry in queries.QUERIES.items():
            for audience in set(queries.AUDIENCES) - set(entry.audiences):
                with pytest.raises(queries.NotPermitted):
                    snapshot.run(name, audience)
        assert "exceptions" in queries.QUERIES
        assert queries.QUERIES["exceptions"].audiences == ("manager",)
        with pytest.raises(queries.NotPermitted):
            snapshot.run("build_info", "Manager")
    finally:
        snapshot.retire()
