"""The hub extract contract (v2) as one machine-readable schema.

Ingestion, validation, the synthetic generator, the tests and the contract
document (docs/data-contract.md, checked by a test) all read this module.

Conventions decided here where the written contract is silent:

* A column whose rule says "optional" may be absent from the file; every other
  column must be in the header.
* A value may be blank unless the column is ``required`` (keys, the dates a
  rule calls required, the codes that classify a row, the booleans of a
  referral). Blank demographic codes read as ``unknown``.
* Row numbers in errors count records after the header (a quoted value that
  spans lines is one record), so row 1 is the first data row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics import identifiers

AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown")
GENDERS = ("female", "male", "non_binary", "other", "unknown")
ETHNIC_GROUPS = ("asian", "black", "mixed", "white", "other", "unknown")
YES_NO_UNKNOWN = ("yes", "no", "unknown")
CRIME_TYPES = (
    "violence_with_injury",
    "violence_without_injury",
    "sexual_offence",
    "robbery",
    "burglary_residential",
    "theft",
    "vehicle_crime",
    "criminal_damage",
    "fraud",
    "stalking_harassment",
    "antisocial_behaviour",
    "other",
)
REFERRAL_SOURCES = ("police", "self", "partner_agency", "other")
CLOSURE_REASONS = ("support_completed", "declined", "unable_to_contact", "transferred", "other")
AGENCIES = (
    "victim_support",
    "hate_crime",
    "older_people",
    "young_people",
    "lgbt",
    "witness_care",
    "nhs_mental_health",
)
AGENCY_OUTCOMES = ("accepted", "declined", "withdrawn", "redirected", "pending")
SERVICE_TYPES = (
    "emotional_support",
    "practical_help",
    "target_hardening",
    "advocacy",
    "counselling",
    "financial_advice",
    "signposting",
    "criminal_justice_support",
    "restorative_justice",
)
ASSESSMENT_STAGES = ("intake", "review", "exit", "follow_up")
HEALTH_WINDOWS = ("pre_6m", "post_6m", "post_12m")
HEALTH_SOURCES = ("self_report", "linked_record")
POPULATION_BASES = ("recorded_victims", "residents")
CHARACTERISTICS = {
    "age_band": AGE_BANDS,
    "gender": GENDERS,
    "ethnic_group": ETHNIC_GROUPS,
    "disability": YES_NO_UNKNOWN,
    "lgbt": YES_NO_UNKNOWN,
}
POPULATION_CATEGORIES = tuple(sorted({c for codes in CHARACTERISTICS.values() for c in codes}))
NHS_CONTACT_COLUMNS = (
    "gp_appointments",
    "ae_attendances",
    "mental_health_crisis_contacts",
    "ambulance_callouts",
    "nonelective_admissions",
)
SCORE_COLUMNS_1_5 = (
    "health_wellbeing",
    "safety",
    "coping",
    "information_choices",
    "daily_activities",
)

TYPES = ("text", "code", "bool", "date", "int", "decimal", "month")
DUCKDB_TYPES = {
    "text": "varchar",
    "code": "varchar",
    "bool": "boolean",
    "date": "date",
    "int": "integer",
    "decimal": "double",
    "month": "varchar",
}


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: str
    description: str = ""
    required: bool = False  # the value must be present in every row
    optional_column: bool = False  # the column may be absent from the file
    codes: tuple[str, ...] | None = None
    demographic: bool = False  # an unknown code becomes 'unknown' instead of rejecting
    minimum: float | None = None
    maximum: float | None = None
    not_before: str | None = None  # a date column of the same row this one may not precede
    references: tuple[str, str] | None = None  # (table, column) that must hold the value

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type}")


@dataclass(frozen=True)
class Table:
    """One table of the extract."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = False  # the file must be in the extract
    parents: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
    # (column, parent table, parent column): orphan rules, checked in table order

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def header_columns(self) -> tuple[str, ...]:
        """Columns that must appear in the file's header."""
        return tuple(c.name for c in self.columns if not c.optional_column)


def _score(name: str, low: int, high: int, description: str) -> Column:
    return Column(name, "int", description, optional_column=True, minimum=low, maximum=high)


TABLES: tuple[Table, ...] = (
    Table(
        "victims",
        "One row per person supported.",
        (
            Column(
                "victim_id",
                "text",
                "Pseudonymous person id, stable across snapshots.",
                required=True,
            ),
            Column(
                "age_band", "code", "Age band at first referral.", codes=AGE_BANDS, demographic=True
            ),
            Column("gender", "code", "Gender.", codes=GENDERS, demographic=True),
            Column(
                "ethnic_group",
                "code",
                "ONS 5 ethnic groups.",
                codes=ETHNIC_GROUPS,
                demographic=True,
            ),
            Column("disability", "code", "Disability.", codes=YES_NO_UNKNOWN, demographic=True),
            Column("lgbt", "code", "LGBT+.", codes=YES_NO_UNKNOWN, demographic=True),
            Column(
                "area",
                "text",
                "Local area code (ward, LSOA or community safety area).",
                optional_column=True,
            ),
        ),
        key=("victim_id",),
        required=True,
    ),
    Table(
        "referrals",
        "One row per referral into the hub (a case).",
        (
            Column("referral_id", "text", "Pseudonymous case id.", required=True),
            Column("victim_id", "text", "The person referred.", required=True),
            Column("crime_type", "code", "Crime type.", required=True, codes=CRIME_TYPES),
            Column("hate_crime", "bool", "Hate crime flag.", required=True),
            Column("domestic_abuse", "bool", "Domestic abuse flag.", required=True),
            Column(
                "enhanced_rights",
                "bool",
                "Victims' Code enhanced entitlement (most serious crime, persistently targeted, "
                "vulnerable or intimidated).",
                required=True,
            ),
            Column("source", "code", "Who referred.", required=True, codes=REFERRAL_SOURCES),
            Column("crime_date", "date", "Date of the crime.", optional_column=True),
            Column(
                "reported_date",
                "date",
                "Reported to police.",
                optional_column=True,
                not_before="crime_date",
            ),
            Column(
                "consent_date",
                "date",
                "The victim consented to referral, where the police need consent first.",
                optional_column=True,
            ),
            Column(
                "referral_date",
                "date",
                "The hub received the referral.",
                required=True,
                not_before="reported_date",
            ),
            Column(
                "first_contact_date",
                "date",
                "Lead agency's first contact.",
                optional_column=True,
                not_before="referral_date",
            ),
            Column(
                "assessment_date",
                "date",
                "Needs assessment done.",
                optional_column=True,
                not_before="referral_date",
            ),
            Column(
                "closed_date",
                "date",
                "Case closed.",
                optional_column=True,
                not_before="referral_date",
            ),
            Column(
                "closure_reason",
                "code",
                "Why the case closed; present if and only if closed_date is.",
                optional_column=True,
                codes=CLOSURE_REASONS,
            ),
        ),
        key=("referral_id",),
        required=True,
        parents=(("victim_id", "victims", "victim_id"),),
    ),
    Table(
        "agency_referrals",
        "Internal referrals from the lead agency to hub partners.",
        (
            Column("agency_referral_id", "text", "Pseudonymous id.", required=True),
            Column("referral_id", "text", "The case.", required=True),
            Column("agency", "code", "Receiving agency.", required=True, codes=AGENCIES),
            Column(
                "sent_date", "date", "Sent; on or after the case's referral_date.", required=True
            ),
            Column("outcome", "code", "Outcome.", required=True, codes=AGENCY_OUTCOMES),
            Column(
                "outcome_date",
                "date",
                "Required unless outcome is pending (for accepted: the acceptance date).",
                not_before="sent_date",
            ),
            Column(
                "first_contact_date",
                "date",
                "Partner's first contact.",
                optional_column=True,
                not_before="sent_date",
            ),
            Column(
                "ended_date",
                "date",
                "Partner's support ended.",
                optional_column=True,
                not_before="sent_date",
            ),
        ),
        key=("agency_referral_id",),
        parents=(("referral_id", "referrals", "referral_id"),),
    ),
    Table(
        "services",
        "Support delivered.",
        (
            Column("service_id", "text", "Pseudonymous id.", required=True),
            Column("referral_id", "text", "The case.", required=True),
            Column("agency", "code", "Delivering agency.", required=True, codes=AGENCIES),
            Column("service_type", "code", "Service type.", required=True, codes=SERVICE_TYPES),
            Column("start_date", "date", "Start.", required=True),
            Column("end_date", "date", "End.", optional_column=True, not_before="start_date"),
            Column(
                "cost_gbp",
                "decimal",
                "Direct spend (locks fitted, a replacement bike), GBP.",
                optional_column=True,
                minimum=0,
            ),
        ),
        key=("service_id",),
        parents=(("referral_id", "referrals", "referral_id"),),
    ),
    Table(
        "assessments",
        "Measures taken during and after the journey.",
        (
            Column("assessment_id", "text", "Pseudonymous id.", required=True),
            Column("referral_id", "text", "The case.", required=True),
            Column(
                "stage",
                "code",
                "intake, review, exit or follow_up.",
                required=True,
                codes=ASSESSMENT_STAGES,
            ),
            Column("assessment_date", "date", "Date of the assessment.", required=True),
            _score("swemwbs", 7, 35, "Raw SWEMWBS sum of the seven items (7..35)."),
            Column(
                "swemwbs_metric",
                "decimal",
                "SWEMWBS metric score, a value of the published conversion table.",
                optional_column=True,
                minimum=7,
                maximum=35,
            ),
            _score("life_satisfaction", 0, 10, "ONS4 life satisfaction (0..10)."),
            _score("health_wellbeing", 1, 5, "Health and wellbeing (1..5, 5 = best)."),
            _score("safety", 1, 5, "How safe the person feels (1..5)."),
            _score("coping", 1, 5, "Able to cope with everyday life (1..5)."),
            _score("information_choices", 1, 5, "Aware of information and choices (1..5)."),
            _score("daily_activities", 1, 5, "Back to work, school, going out (1..5)."),
        ),
        key=("assessment_id",),
        parents=(("referral_id", "referrals", "referral_id"),),
    ),
    Table(
        "health_use",
        "NHS contacts around the referral (self-report or linked).",
        (
            Column("referral_id", "text", "The case.", required=True),
            Column(
                "window",
                "code",
                "pre_6m, post_6m or post_12m.",
                required=True,
                codes=HEALTH_WINDOWS,
            ),
            *(
                Column(
                    name,
                    "int",
                    f"{name.replace('_', ' ')} in the window.",
                    optional_column=True,
                    minimum=0,
                )
                for name in NHS_CONTACT_COLUMNS
            ),
            Column(
                "source",
                "code",
                "self_report or linked_record.",
                required=True,
                codes=HEALTH_SOURCES,
            ),
        ),
        key=("referral_id", "window"),
        parents=(("referral_id", "referrals", "referral_id"),),
    ),
    Table(
        "repeat_crimes",
        "Later police-recorded crimes against the same person.",
        (
            Column("crime_ref", "text", "Pseudonymous crime reference.", required=True),
            Column("victim_id", "text", "The person.", required=True),
            Column("crime_date", "date", "Date of the crime.", required=True),
            Column("crime_type", "code", "Crime type.", required=True, codes=CRIME_TYPES),
        ),
        key=("crime_ref",),
        parents=(("victim_id", "victims", "victim_id"),),
    ),
    Table(
        "exit_surveys",
        "The person's own view at closure.",
        (
            Column("referral_id", "text", "The case (one survey per referral).", required=True),
            Column("survey_date", "date", "Date of the survey.", required=True),
            Column("satisfaction", "int", "Satisfaction (1..5).", minimum=1, maximum=5),
            Column("listened_to", "int", "Felt listened to (1..5).", minimum=1, maximum=5),
            Column("family_benefited", "code", "Family benefited.", codes=YES_NO_UNKNOWN),
            Column("goals_set", "int", "Goals set.", minimum=0),
            Column("goals_achieved", "int", "Goals achieved (0..goals_set).", minimum=0),
        ),
        key=("referral_id",),
        parents=(("referral_id", "referrals", "referral_id"),),
    ),
    Table(
        "funding",
        "Money in.",
        (
            Column("month", "month", "YYYY-MM.", required=True),
            Column("agency", "code", "Funded agency.", required=True, codes=AGENCIES),
            Column("amount_gbp", "decimal", "Amount, GBP.", required=True, minimum=0),
        ),
        key=("month", "agency"),
    ),
    Table(
        "population",
        "The comparison population for equity of reach.",
        (
            Column(
                "basis",
                "code",
                "recorded_victims (preferred) or residents.",
                required=True,
                codes=POPULATION_BASES,
            ),
            Column(
                "characteristic",
                "code",
                "age_band, gender, ethnic_group, disability or lgbt.",
                required=True,
                codes=tuple(CHARACTERISTICS),
            ),
            Column(
                "category",
                "code",
                "A code of that characteristic.",
                required=True,
                codes=POPULATION_CATEGORIES,
            ),
            Column("people", "int", "People.", required=True, minimum=0),
        ),
        key=("basis", "characteristic", "category"),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES_BY_NAME)

# Reason codes for quarantined rows, in the order rows are checked. One reason per row.
REASONS: dict[str, str] = {
    "malformed_row": "the record has too many or too few fields, or broken quoting",
    "line_too_long": "a line of the file is longer than the line limit (1 MiB unless the build "
    "sets another with --max-line-bytes); its text is not kept",
    "repeated_header": "the row repeats the header's column names (two exports pasted together)",
    "missing_value": "a required value is blank",
    "invalid_date": "not a valid YYYY-MM-DD or DD/MM/YYYY date (US order, Excel serials, two-digit years, years before 1900)",
    "invalid_number": "not a number of the column's type",
    "invalid_bool": "not true/false, yes/no, y/n or 1/0",
    "unknown_code": "a code not in the contract's list (after code_map.csv)",
    "out_of_range": "a number outside the column's range, or a SWEMWBS metric not in the conversion table",
    "future_date": "a date after the extract's as-of date",
    "date_order": "a date earlier than the date it must follow",
    "inconsistent": "values that contradict each other (closure_reason without closed_date, "
    "outcome_date missing for a decided agency referral, goals_achieved above goals_set, "
    "a category that is not a code of its characteristic)",
    "duplicate_key": "another row has the same key (every such row is quarantined)",
    "orphan": "the parent row is missing or quarantined",
}

BOOL_TRUE = ("true", "yes", "y", "1")
BOOL_FALSE = ("false", "no", "n", "0")


def normalise_header(name: str) -> str:
    """Header names compare case-insensitively, without surrounding spaces or a BOM."""
    return name.replace("\ufeff", "").strip().lower()


def is_direct_identifier(name: str) -> bool:
    """True when a column name looks like a direct identifier or free text (case,
    separators, accents and look-alike letters ignored: see ``metrics.identifiers``)."""
    return identifiers.is_direct_identifier(name)


def ordered_tables() -> tuple[Table, ...]:
    """Tables in an order where every parent comes before its children."""
    done: list[str] = []
    pending = list(TABLES)
    while pending:
        for table in pending:
            if all(parent in done for _, parent, _ in table.parents):
                done.append(table.name)
                pending.remove(table)
                break
        else:  # pragma: no cover - the contract has no cycles
            raise RuntimeError("cycle in contract parents")
    return tuple(TABLES_BY_NAME[name] for name in done)
