"""Column lists and code tables shared by the loader, validator, importers and exports.

The incident table speaks ACLED (see ../shared/docs/formats.md): its first 31
columns are ACLED's current export, in ACLED's order, so a CSV export loads
straight into ACLED-minded tools. The extra columns carry what ACLED lacks.
"""

from __future__ import annotations

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)

# What ACLED lacks. event_date is the first possible day of the event and
# end_date the last (equal for an exactly dated event); injuries is empty when
# no source gives a number; victim_nationality is pipe-separated
# ("Chinese|Tajik"); site_id links the project site attacked; claim_status is
# "unclaimed" when a source states nobody claimed it, "claimed" when someone
# did, empty when no source says; related_ids (pipe-separated) links records
# that report the same happening differently. scope is "border" or "context"
# (see SCOPES); reported_location is the place as the sources name it when the
# coordinates are a stand-in (a village not in open gazetteers, a district
# placed at its centre), empty otherwise.
EXTRA_INCIDENT_COLUMNS: tuple[str, ...] = (
    "end_date", "injuries", "victim_nationality", "site_id", "claim_status",
    "related_ids", "scope", "reported_location",
)

INCIDENT_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + EXTRA_INCIDENT_COLUMNS

CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id", "incident_id", "actor", "stance", "claimant", "claimant_type",
    "source_file", "quote", "notes",
)

SITE_COLUMNS: tuple[str, ...] = (
    "site_id", "name", "name_alt", "site_type", "operator", "chinese_link",
    "country", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "geometry_ref", "notes",
)

# One row per passage that supports a record (incident or site).
EVIDENCE_COLUMNS: tuple[str, ...] = ("record_id", "source_file", "quote", "supports")

SOURCE_COLUMNS: tuple[str, ...] = (
    "source_file", "title", "publisher", "published", "sha256", "notes",
    "url", "language", "author",
)

# What a record is about (seeds/README.md gives the rule). The default view,
# the headline totals and the timeline count border records; context is one
# toggle away.
SCOPES: dict[str, str] = {
    "border": "on or across the Tajik-Afghan border, or a response to such an incident",
    "context": "wider context: events elsewhere or background not tied to a border incident",
}
BORDER_SCOPE = "border"
CONTEXT_SCOPE = "context"

# Tag for a record whose sources say people were killed without giving a number
# (fatalities is then empty): shown as "several, no number", never as 0.
SEVERAL_KILLED_TAG = "several killed (no number)"

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Violence against civilians": ("Attack", "Abduction/forced disappearance", "Sexual violence"),
    "Explosions/Remote violence": (
        "Air/drone strike", "Shelling/artillery/missile attack", "Grenade",
        "Remote explosive/landmine/IED", "Suicide bomb", "Chemical weapon",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Strategic developments": (
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    ),
}

# Event types drawn in the "violence" lane; the rest are responses.
VIOLENT_EVENT_TYPES: frozenset[str] = frozenset(
    {"Battles", "Violence against civilians", "Explosions/Remote violence", "Riots"}
)

DISORDER_TYPES: tuple[str, ...] = (
    "Political violence", "Demonstrations", "Strategic developments",
    "Political violence; Demonstrations",
)

INTER_CODES: tuple[str, ...] = (
    "State forces", "Rebel group", "Political militia", "Identity militia",
    "Rioters", "Protesters", "Civilians", "External/Other forces",
)

GEO_PRECISION: dict[int, str] = {
    1: "exact town or village",
    2: "near a town / part of a district; placed at a representative town",
    3: "only the larger region is known; placed at a regional point",
}

TIME_PRECISION: dict[int, str] = {
    1: "exact day reported",
    2: "only the week is known",
    3: "only the month is known",
}

STANCES: dict[str, str] = {
    "claimed": "the actor itself claimed responsibility",
    "accused": "the claimant states the actor did it",
    "suspected": "the claimant names the actor as a possible or likely perpetrator",
    "denied": "the actor, or the claimant for it, denies involvement",
    "blamed-other": "the claimant blames an unnamed or other party, deflecting from a culprit",
    "failed-to-prevent": "the claimant holds the actor responsible for failing to prevent it, not for carrying it out",
}

CLAIMANT_TYPES: tuple[str, ...] = ("government", "armed group", "media", "analyst", "international")

CLAIM_STATUSES: tuple[str, ...] = ("", "unclaimed", "claimed")

UNKNOWN_ACTOR = "Unknown / unclaimed"
