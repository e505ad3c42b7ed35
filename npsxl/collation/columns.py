"""The columns of the collation's tidy data (its frames and CSV files) and the fixed labels
that appear in them: one definition for :mod:`npsxl.collation.collation`, the CSV writer, the
summary workbook and the README's tables."""

from __future__ import annotations

RETURNS_CSV = "returns.csv"
ANSWERS_CSV = "answers.csv"
SUMMARY_CSV = "summary.csv"
TRENDS_CSV = "trends.csv"
STATISTICS_CSV = "statistics.csv"
RESPONDENTS_CSV = "respondents.csv"
WITHIN_CSV = "within_councils.csv"

RETURNS_COLUMNS = (
    "source_file",
    "status",
    "council_code",
    "council_name",
    "region",
    "council_type",
    "model_id",
    "model_version",
    "complete",
    "items",
    "counted",
    "problems",
    "errors",
    "warnings",
    "round",
    "kind",
    "respondent",
    "missing_items",
    "disagrees_with",
    "comments",
    "approver_role",
    "date_approved",
)
# With include_contacts (and only then), returns.csv and respondents.csv also name them.
CONTACT_COLUMNS = ("respondent_name", "respondent_email")
# ... and returns.csv the approver of the sign-off, before approver_role.
APPROVER_COLUMN = "approved_by"
ANSWERS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "model_id",
    "model_version",
    "item_id",
    "item_name",
    "item_kind",
    "theme",
    "current_level",
    "current_score",
    "target_level",
    "target_score",
    "gap",
    "evidence",
    "actions",
    "target_date",
    "basis",
    "views",
    "source_file",
)
SUMMARY_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "measure",
    "level",
    "count",
    "n",
    "percent",
)
STATISTICS_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "item_name",
    "theme",
    "n",
    "n_current",
    "median_current",
    "mean_current",
    "n_target",
    "median_target",
    "mean_target",
    "n_gap",
    "mean_gap",
    "n_aiming_higher",
    "share_aiming_higher",
)
ITEM_STATS_COLUMNS = STATISTICS_COLUMNS  # Collation.item_stats: the rows of statistics.csv
RESPONDENTS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "round",
    "respondent",
    "respondent_role",
    "kind",
    "counted",
    "model_id",
    "model_version",
    "item_id",
    "item_name",
    "current_level",
    "current_score",
    "target_level",
    "target_score",
    "gap",
    "evidence",
    "actions",
    "target_date",
    "source_file",
)
WITHIN_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "item_id",
    "item_name",
    "views",
    "n_current",
    "lowest_current",
    "highest_current",
    "spread_current",
    "n_target",
    "lowest_target",
    "highest_target",
    "spread_target",
    "figure_current",
    "figure_target",
    "basis",
    "flagged",
    "outside_current",
    "outside_target",
)
WIDE_SPREAD = 2  # levels between a council's respondents that Within councils flags
RESPONSE_COLUMNS = (
    "region",
    "expected",
    "received",
    "accepted",
    "rejected",
    "superseded",
    "views",
    "councils",
    "response_rate",
)
LEVEL_MEANS_COLUMNS = (
    "group_type",
    "group",
    "councils",
    "answers",
    "mean_current",
    "mean_target",
    "mean_gap",
)
# The counted answers of every round under current-model item ids (see Collation.comparable);
# per_version has the same columns, with the answered (old) item id in item_id.
COMPARABLE_COLUMNS = (
    "return_index",
    "council_code",
    "council_name",
    "region",
    "council_type",
    "round",
    "model_id",
    "model_version",
    "item_id",
    "source_item_id",
    "change",
    "current_level",
    "current_score",
    "target_level",
    "target_score",
    "gap",
)
VERSION_ONLY_COLUMNS = (
    "model_version",
    "item_id",
    "item_name",
    "change",
    "n",
    "n_current",
    "median_current",
    "mean_current",
    "n_target",
    "median_target",
    "mean_target",
)
TRENDS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "item_id",
    "item_name",
    "previous_round",
    "previous_model_version",
    "previous_item_id",
    "previous_level",
    "previous_score",
    "latest_round",
    "latest_model_version",
    "latest_level",
    "latest_score",
    "movement",
)
MOVEMENT_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "item_name",
    "councils",
    "compared",
    "up",
    "same",
    "down",
    "not_comparable",
    "share_up",
)

# Collation.support_gaps: these columns, with one column per current item id after the
# first four; Collation.support_priorities: one row per current item.
SUPPORT_COUNCIL_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "items_behind",
    "largest_gap",
)
SUPPORT_PRIORITY_COLUMNS = (
    "rank",
    "item_id",
    "item_name",
    "theme",
    "n_gap",
    "furthest",
    "far",
    "behind",
    "mean_gap",
)

SCORE_COLUMNS = ("current_score", "target_score", "gap")
MEASURES = ("current", "target")
NATIONAL = "national"
MODEL_VERSION = "model_version"
ALL_COUNCILS = "All councils"
ALL_REGIONS = "All regions"
NOT_GIVEN = "Not given"
NO_COUNCIL = "Council not identified"
ALL_ITEMS = "ALL ITEMS"  # the item id of movement()'s all-items rows: never a model item id
ALL_ITEMS_NAME = "All key areas and enablers"

# What became of a file (returns.csv's ``counted``): see npsxl.collation.counting.
COUNTED = "yes"  # the council's figure: its agreed return
VIEW = "view"  # a respondent's view, adding the spread inside a council with an agreed return
DERIVED = "derived"  # a respondent's view the council's figure is derived from (no agreed one)
SUPERSEDED = "superseded"
NOT_COUNTED = "rejected"
IN_FIGURES = (COUNTED, DERIVED)  # the states of the files council figures come from

UP, SAME, DOWN, NOT_COMPARABLE = "up", "same", "down", "not comparable"
MOVEMENTS = (UP, SAME, DOWN, NOT_COMPARABLE, "")
NO_LINEAGE = "no lineage"  # the change of an item whose version has no lineage to the model
