"""The columns of the collation's tidy data (its frames and CSV files) and the fixed labels
that appear in them: one definition for :mod:`npsxl.collation.collation`, the CSV writer, the
summary workbook and the README's tables."""

from __future__ import annotations

RETURNS_CSV = "returns.csv"
ANSWERS_CSV = "answers.csv"
SUMMARY_CSV = "summary.csv"
TRENDS_CSV = "trends.csv"

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
)
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
    "source_file",
)
SUMMARY_COLUMNS = ("group_type", "group", "item_id", "measure", "level", "count", "percent")
ITEM_STATS_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "item_name",
    "theme",
    "n",
    "n_current",
    "n_target",
    "median_current",
    "mean_current",
    "median_target",
    "mean_target",
    "mean_gap",
    "n_aiming_higher",
)
RESPONSE_COLUMNS = (
    "region",
    "expected",
    "received",
    "accepted",
    "rejected",
    "superseded",
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

COUNTED = "yes"
SUPERSEDED = "superseded"
NOT_COUNTED = "rejected"

UP, SAME, DOWN, NOT_COMPARABLE = "up", "same", "down", "not comparable"
MOVEMENTS = (UP, SAME, DOWN, NOT_COMPARABLE, "")
NO_LINEAGE = "no lineage"  # the change of an item whose version has no lineage to the model
