"""Every kind of problem npsxl reports, in one place: :data:`CATALOGUE`.

Each :class:`ProblemType` has a code, a default severity, what it means, a message template
and a what-to-do hint. Every problem npsxl reports is built from one of them::

    from npsxl.core import catalogue as P

    P.UNKNOWN_LEVEL(Location(file=path, sheet=..., cell=...), field="current level",
                    item_id="L1", value="Very good", allowed="Minimum, ...")

The codes are a public contract: ``npsxl validate --format json`` prints them and
returns.csv lists them, so a code is never renamed, reused or removed. ``docs/problems.md``
is generated from this module (``python -m npsxl.core.catalogue > docs/problems.md``) and a
test fails when it is stale, when a module builds a :class:`~npsxl.core.problems.Problem`
without the catalogue, or when a code is used that is not catalogued.

Templates are :meth:`str.format` strings; ``example`` gives values for each placeholder, so
the documentation shows a real message. Where one code has messages that one template cannot
say (a folder given for the model file, or a file that cannot be read), each further message
is a :func:`variant` of the code's type, documented with it.

How types are catalogued is :mod:`npsxl.core.problem_types`; the reading layer's sections
are in :mod:`npsxl.core.catalogue_reading`, which this module imports in its place, so that
neither module is too long to read.

This module is over 400 lines because it is one table: every problem type npsxl reports, so
that the codes, messages and hints can be read, and kept consistent, in one place. The tables
are kept compact (``# fmt: off``), one type in three or four lines.
"""

from __future__ import annotations

import sys

from npsxl.core.problem_types import (  # noqa: F401 - the catalogue's API, for its users
    CATALOGUE,
    ERROR,
    SECTIONS,
    VARIANTS,
    WARNING,
    ProblemType,
    every_type,
    lookup,
    problem_type,
    section,
    variant,
)

# The problem types follow, section by section, in the order of the documentation.
# Each section is kept by the layer it names; add new types at the end of their section.

# --- the model file ---------------------------------------------------------------------------
MODEL = section(
    "The model file", "Problems in model.yaml (or another model file), by file and line."
)
# fmt: off
MODEL_NOT_FOUND = problem_type(
    "model-not-found", ERROR, MODEL, "The model file does not exist.",
    "model file not found", "give the path of model.yaml, or run from the folder holding it")
MODEL_UNREADABLE = problem_type(
    "model-unreadable", ERROR, MODEL, "The model file exists but cannot be read.",
    "cannot read the model file: {reason}", "check the file's permissions",
    reason="Permission denied")
MODEL_IS_A_FOLDER = variant(
    MODEL_UNREADABLE, "this is a folder, not a model file",
    "give the path of the model file itself")
MODEL_TOO_LARGE = problem_type(
    "model-too-large", ERROR, MODEL, "The file is far larger than any model file.",
    "the model file is larger than {limit:,} bytes", "is this really a model file?",
    limit=2_000_000)
MODEL_NOT_UTF8 = problem_type(
    "model-not-utf8", ERROR, MODEL, "The model file is not UTF-8 text.",
    "byte 0x{byte:02X} is not UTF-8 text", "save the file as UTF-8", byte=0xA3)
MODEL_NOT_YAML = problem_type(
    "model-not-yaml", ERROR, MODEL, "The file is not valid YAML (at the line given).",
    "not valid YAML: {reason}", "check indentation and quoting on that line",
    reason="mapping values are not allowed here")
MODEL_YAML_ALIAS = problem_type(
    "model-yaml-alias", ERROR, MODEL,
    "A YAML alias or merge key: a model file writes every value out in full.",
    "YAML alias *{anchor} is not allowed",
    "write the value out in full; anchors, aliases and '<<' merges are not supported in a "
    "model file", anchor="levels")
MODEL_YAML_MERGE = variant(
    MODEL_YAML_ALIAS, "YAML merge key '<<' is not allowed", "write the keys out in full")
MODEL_TOO_DEEP = problem_type(
    "model-too-deep", ERROR, MODEL, "Mappings and lists nested far deeper than a model needs.",
    "nested more than {limit} levels deep", "a model file needs only a few levels of nesting",
    limit=32)
MODEL_YAML_TAG = problem_type(
    "model-yaml-tag", ERROR, MODEL, "A YAML tag such as !!python/object on a mapping or list.",
    "YAML tag {tag!r} is not allowed", "remove the tag", tag="tag:yaml.org,2002:set")
MODEL_DUPLICATE_KEY = problem_type(
    "model-duplicate-key", ERROR, MODEL, "The same key twice in one mapping.",
    "duplicate key {key!r} (first at line {first_line})", "remove one of the two",
    key="name", first_line=12)
MODEL_BAD_VALUE = problem_type(
    "model-bad-value", ERROR, MODEL,
    "A value YAML cannot read, such as an impossible date written without quotes.",
    "cannot read the value {value!r}: {reason}", "put the value in quotes to make it text",
    value="2018-02-30", reason="day is out of range for month")
MODEL_EMPTY = problem_type(
    "model-empty", ERROR, MODEL, "The model file has nothing in it.",
    "the model file is empty", "start from the shipped model.yaml")
MODEL_WRONG_TYPE = problem_type(
    "model-wrong-type", ERROR, MODEL,
    "A value of the wrong kind: a list where a mapping belongs, a number where text does.",
    "expected {expected}, found {found}", "", expected="text", found="the number 2018")
MODEL_SCORE_NOT_A_NUMBER = variant(
    MODEL_WRONG_TYPE, "score must be a whole number, found {found}", found="text")
MODEL_KEY_NOT_A_WORD = variant(
    MODEL_WRONG_TYPE, "a key must be a plain word, not a {kind}", kind="list")
MODEL_UNKNOWN_KEY = problem_type(
    "model-unknown-key", ERROR, MODEL, "A key the model file format does not have (a typo?).",
    "unknown key {key!r}", "allowed keys: {allowed}",
    key="titel", allowed="id, version, title, ...")
MODEL_MISSING_KEY = problem_type(
    "model-missing-key", ERROR, MODEL, "A required key is missing.",
    "missing required key {key!r}", "", key="name")
MODEL_EMPTY_TEXT = problem_type(
    "model-empty-text", ERROR, MODEL, "A required text is empty.", "text is empty")
MODEL_TEXT_NOISE = problem_type(
    "model-text-noise", ERROR, MODEL,
    "Text with leftovers of PDF extraction: tags, bullets, tabs, line breaks, invisible "
    "characters or double spaces.",
    "text contains extraction noise {noise!r}",
    "remove tags, bullets, tabs, line breaks, invisible characters and double spaces",
    noise="\t")
MODEL_EMPTY_LIST = problem_type(
    "model-empty-list", ERROR, MODEL, "A list that needs entries has none.", "list is empty")
MODEL_BAD_ID = problem_type(
    "model-bad-id", ERROR, MODEL,
    "The model id, or an item id, is not valid (item ids become part of Excel defined names).",
    "model id {model_id!r} is not valid",
    "use letters, digits, '.', '_' or '-' (no spaces), at most 64", model_id="nps 2018")
ITEM_ID_HINT = ("ids are used in Excel defined names: a letter, then letters, digits or "
                "underscores, at most {max_length}")
ITEM_ID_TOO_LONG = variant(
    MODEL_BAD_ID, "id {item_id!r} is {length} characters long; at most {max_length}",
    ITEM_ID_HINT, item_id="L" * 32, length=32, max_length=31)
ITEM_ID_FIRST_CHARACTER = variant(
    MODEL_BAD_ID, "id {item_id!r} must start with a letter", ITEM_ID_HINT,
    item_id="1L", max_length=31)
ITEM_ID_CHARACTERS = variant(
    MODEL_BAD_ID,
    "id {item_id!r} contains {characters!r}: only letters, digits and underscores are allowed",
    ITEM_ID_HINT, item_id="L-1", characters="-", max_length=31)
MODEL_BAD_VERSION = problem_type(
    "model-bad-version", ERROR, MODEL, "The version is not valid.",
    "version {version!r} is not valid",
    'use letters, digits, ".", "_", "+" or "-" (no spaces), e.g. "1.0.1"', version="1.0 final")
MODEL_BAD_DATE = problem_type(
    "model-bad-date", ERROR, MODEL, "The publication date is not a date.",
    "published {published!r} is not a date as YYYY-MM or YYYY-MM-DD", 'e.g. "2018-06"',
    published="June 2018")
MODEL_BAD_URL = problem_type(
    "model-bad-url", ERROR, MODEL, "The source address is not a web address.",
    "source_url {url!r} is not a web address", "start it with https://", url="www.local.gov.uk")
MODEL_LEVEL_COUNT = problem_type(
    "model-level-count", ERROR, MODEL,
    "Too few or too many levels (returns are read back with single-digit scores).",
    "{count} levels: a model needs {minimum} to {maximum}", "", count=1, minimum=2, maximum=9)
MODEL_DUPLICATE_LEVEL = problem_type(
    "model-duplicate-level", ERROR, MODEL, "Two levels with one name.",
    "level name {name!r} is used twice (first at levels[{first}])", "", name="Mature", first=2)
MODEL_LEVEL_ORDER = problem_type(
    "model-level-order", ERROR, MODEL, "A level's score is not its place in the list.",
    "score {score} out of order: level {position} must score {position}",
    "scores run 1, 2, 3... in the order of the levels", score=4, position=3)
MODEL_UNKNOWN_LEVEL = problem_type(
    "model-unknown-level", ERROR, MODEL, "A descriptor for a level the model does not have.",
    "unknown level {level!r}", "levels are: {levels}",
    level="Leaderx", levels="Minimum, Developing, Mature, Leader, Innovator")
MODEL_MISSING_DESCRIPTOR = problem_type(
    "model-missing-descriptor", ERROR, MODEL, "An item without a descriptor for every level.",
    "{found} descriptors for {count} levels (missing: {missing})",
    "give exactly one descriptor per level", found=4, count=5, missing="Leader")
MODEL_RESERVED_ID = problem_type(
    "model-reserved-id", ERROR, MODEL, "An id npsxl keeps for itself.",
    "id {item_id!r} is reserved for the enablers group", "choose another id", item_id="ENABLERS")
MODEL_DUPLICATE_ID = problem_type(
    "model-duplicate-id", ERROR, MODEL,
    "Two themes or items with one id (ids are compared ignoring case, as Excel does).",
    "id {item_id!r} is already used at {first_path} (line {first_line})",
    "ids must be unique across the whole model",
    item_id="L2", first_path="themes[0].key_areas[1]", first_line=48)
MODEL_DUPLICATE_ID_IGNORING_CASE = variant(
    MODEL_DUPLICATE_ID,
    "id {item_id!r} is already used as {first!r} (ids are compared ignoring case) at "
    "{first_path} (line {first_line})",
    item_id="l2", first="L2", first_path="themes[0].key_areas[1]", first_line=48)
MODEL_BAD_COLOUR = problem_type(
    "model-bad-colour", ERROR, MODEL, "A brand colour that is not #RRGGBB.",
    "colour {value!r} is not #RRGGBB", 'six hex digits in quotes, e.g. "#1F3864"', value="navy")
MODEL_EMPTY_COLOUR = variant(
    MODEL_BAD_COLOUR, "colour is empty",
    'put it in quotes, e.g. "#1F3864": an unquoted # starts a YAML comment')
MODEL_LOW_CONTRAST = problem_type(
    "model-low-contrast", ERROR, MODEL,
    "A brand colour pair whose text is hard to read on its background (below 4.5:1).",
    "text {text} on {background} has contrast {contrast:.2f}:1, below {minimum}:1",
    "darken the text or lighten the background",
    text="#FFFFFF", background="#FFF2CC", contrast=1.12, minimum=4.5)
MODEL_BAD_LOGO = problem_type(
    "model-bad-logo", ERROR, MODEL, "The logo file is missing or not an image npsxl can use.",
    "logo file {logo!r} not found", "give a path relative to the model file, or null",
    logo="logo.png")
MODEL_LOGO_NOT_AN_IMAGE = variant(
    MODEL_BAD_LOGO, "logo file {logo!r} is not a PNG, JPEG, GIF or BMP image", "",
    logo="logo.svg")
MODEL_INVALID = problem_type(
    "model-invalid", ERROR, MODEL,
    "A problem in the model file of no more specific kind (kept from npsxl 0.1; every check "
    "now reports its own code).",
    "the model file is not valid", "run npsxl model check to see every located problem")
MODEL_UNBALANCED_BRACKETS = problem_type(
    "model-unbalanced-brackets", ERROR, MODEL,
    "Square brackets mark reconstructed words; one is left open, closed twice or nested.",
    "a [ is not closed by a ] (or a ] has no [, or brackets are nested): {text!r}",
    "put each reconstructed word or phrase in one pair of [square brackets]",
    text="[Working with partners refers to the")
# fmt: on

# --- the model archive and lineage ------------------------------------------------------------
ARCHIVE = section(
    "The model archive and lineage",
    "Problems across published model versions and the lineage between them.",
)
# fmt: off
MODEL_VERSION_REUSED = problem_type(
    "model-version-reused", ERROR, ARCHIVE,
    "Two files with one id and version but different content: a published version was edited.",
    "{model_id} {version} here differs from {other} (their fingerprints differ first at "
    "character {position}: {fingerprint} and {other_fingerprint})",
    "a published version never changes: give the edited model a new version",
    model_id="nps-2018", version="1.0.0", other="models/nps-2018-1.0.0.yaml", position=5,
    fingerprint="3f1c[0]e9a7b2d...", other_fingerprint="3f1c[a]04d5e6f...")
MODEL_LINEAGE = problem_type(
    "model-lineage", ERROR, ARCHIVE,
    "The replaces: block of a model file is not sound on its own, or names a version that is "
    "not in the archive.",
    "{model_id} {version} replaces {old_id} {old_version}, which is not in the archive",
    "keep every published version in the archive folder",
    model_id="nps-2018", version="1.1.0", old_id="nps-2018", old_version="1.0.0")
LINEAGE_ID_NOT_TEXT = variant(
    MODEL_LINEAGE, "expected an item id, found {found}", "give an id such as L2, or a list of ids",
    found="a number")
LINEAGE_UNKNOWN_CHANGE = variant(
    MODEL_LINEAGE, "unknown change {change!r}", "use one of: {changes}",
    change="moved", changes="unchanged, renamed, text_changed, split, merged, removed, added")
LINEAGE_SHAPE = variant(
    MODEL_LINEAGE,
    "a {change} entry needs {old_shape} old and {new_shape} new item(s); found {old_count} old, "
    "{new_count} new", "",
    change="split", old_shape="one", new_shape="many", old_count=1, new_count=1)
LINEAGE_NEW_NOT_IN_MODEL = variant(
    MODEL_LINEAGE, "new item {item_id!r} is not in this model", "", item_id="C2C")
LINEAGE_NEW_TWICE = variant(
    MODEL_LINEAGE, "new item {item_id} already comes from the entry at line {line}", "",
    item_id="C2A", line=311)
LINEAGE_NEW_UNACCOUNTED = variant(
    MODEL_LINEAGE, "item {item_id} of this model does not say where it comes from",
    "add an entry for it (change: added, if it is new)", item_id="E5")
LINEAGE_INVALID = problem_type(
    "lineage-invalid", ERROR, ARCHIVE,
    "A lineage that does not fit the two versions it joins: every old item accounted for "
    "once, every new item from one entry, ids on their side, each change its shape.",
    "old item {item_id} is not accounted for",
    "add an entry saying what became of it (removed, if nothing)", item_id="C2")
LINEAGE_WRONG_OLD_MODEL = variant(
    LINEAGE_INVALID, "replaces {model_id} {version}, but the old model is {old_id} {old_version}",
    "", model_id="nps-2018", version="1.0.0", old_id="nps-2018", old_version="1.0.1")
LINEAGE_INVALID_CHANGE = variant(
    LINEAGE_INVALID, "unknown change {change!r}", "use one of: {changes}",
    change="moved", changes="unchanged, renamed, text_changed, split, merged, removed, added")
LINEAGE_INVALID_SHAPE = variant(
    LINEAGE_INVALID,
    "a {change} entry needs {old_shape} old and {new_shape} new item(s); found {old_count} old, "
    "{new_count} new", "",
    change="merged", old_shape="many", new_shape="one", old_count=1, new_count=1)
LINEAGE_OLD_NOT_IN_MODEL = variant(
    LINEAGE_INVALID, "old item {item_id!r} is not in {model_id} {version}", "",
    item_id="C9", model_id="nps-2018", version="1.0.0")
LINEAGE_OLD_TWICE = variant(
    LINEAGE_INVALID, "old item {item_id} is accounted for twice (also at line {line})", "",
    item_id="C2", line=305)
LINEAGE_NEW_NOT_IN_NEW_MODEL = variant(
    LINEAGE_INVALID, "new item {item_id!r} is not in {model_id} {version}", "",
    item_id="C2C", model_id="nps-2018", version="1.1.0")
LINEAGE_NEW_FROM_TWO = variant(
    LINEAGE_INVALID, "new item {item_id} comes from two entries (also at line {line})", "",
    item_id="C2A", line=311)
LINEAGE_UNCHANGED_TEXT_CHANGED = variant(
    LINEAGE_INVALID, "{item_id} is marked unchanged but its text changed",
    "mark it text_changed or renamed", item_id="L1")
LINEAGE_NEW_WITHOUT_ORIGIN = variant(
    LINEAGE_INVALID, "new item {item_id} does not say where it comes from",
    "add an entry for it (added, if it is new)", item_id="E5")
ARCHIVE_NO_NEWEST = problem_type(
    "archive-no-newest", ERROR, ARCHIVE,
    "Which archived version is the newest is unclear: the newest is the one no other version "
    "replaces, and there must be exactly one.",
    "{count} versions are replaced by no other ({versions}): which is the newest is unclear",
    "give the newer version a replaces: block naming the one it replaces",
    count=2, versions="nps-2018 1.0.0, nps-2018 1.0.1")
ARCHIVE_EMPTY = variant(
    ARCHIVE_NO_NEWEST, "there is no model file (*.yaml) in the archive",
    "keep every published version in the archive folder")
ARCHIVE_CIRCULAR = variant(
    ARCHIVE_NO_NEWEST, "every version is replaced by another ({versions}): the replaces: "
    "blocks go round in a circle", "each version replaces one published before it",
    versions="nps-2018 1.0.0, nps-2018 1.0.1")
# fmt: on

# --- the council register ---------------------------------------------------------------------
REGISTER = section(
    "The council register", "Problems in a council register CSV, by line and column."
)
# fmt: off
REGISTER_UNREADABLE = problem_type(
    "register-unreadable", ERROR, REGISTER,
    "The register file is missing, unreadable, not UTF-8 text or not CSV.",
    "council register file not found: {path}",
    "check the path, or generate one with scripts/make_register.py", path="hub-councils.csv")
REGISTER_CANNOT_READ = variant(
    REGISTER_UNREADABLE, "cannot read the council register: {reason}",
    "check the path points to a readable CSV file", reason="Permission denied")
REGISTER_NOT_UTF8 = variant(
    REGISTER_UNREADABLE, "the council register is not UTF-8 text (byte 0x{byte:02x})",
    "save it from your spreadsheet as 'CSV UTF-8'", byte=0xA3)
REGISTER_NOT_CSV = variant(
    REGISTER_UNREADABLE, "not a readable CSV file: {reason}",
    "save it from your spreadsheet as 'CSV UTF-8'",
    reason="new-line character seen in unquoted field")
REGISTER_EMPTY = problem_type(
    "register-empty", ERROR, REGISTER, "The register has no header row, or no councils.",
    "the council register is empty (no header row)",
    "add a header row (code,name,region,...) and one row per council")
REGISTER_NO_COUNCILS = variant(
    REGISTER_EMPTY, "the council register has a header but no councils",
    "add one row per council below the header")
REGISTER_DUPLICATE_COLUMN = problem_type(
    "register-duplicate-column", ERROR, REGISTER, "A column heading appears twice.",
    "column {column!r} appears more than once in the header",
    "remove or rename the repeated column", column="region")
REGISTER_MISSING_COLUMN = problem_type(
    "register-missing-column", ERROR, REGISTER,
    "A required column (code, name, region) is missing.",
    "required column {column!r} is missing (found: {found})",
    "add a {column!r} column to the header row", column="region", found="code, name")
REGISTER_EXTRA_VALUES = problem_type(
    "register-extra-values", ERROR, REGISTER, "A row with more values than the header has columns.",
    "row has {count} values but the header has {width} columns",
    "quote values that contain commas, or add a heading for the extra column", count=4, width=3)
REGISTER_MISSING_VALUE = problem_type(
    "register-missing-value", ERROR, REGISTER, "A council without a code, name or region.",
    "no {column} given", "fill in the {column} for this council, or delete the row",
    column="region")
REGISTER_DUPLICATE_CODE = problem_type(
    "register-duplicate-code", ERROR, REGISTER, "Two rows with one code: a council listed twice.",
    "{column} {value!r} is already used on line {first_line}",
    "list each council once: remove the repeated row or correct its code",
    column="code", value="E08000035", first_line=12)
REGISTER_UNKNOWN_REGION = problem_type(
    "register-unknown-region", ERROR, REGISTER,
    "A region that is not one of the nine English regions.",
    "unknown region {region!r}", "use one of: {regions}",
    region="Yorkshire", regions="North East; North West; ...")
REGISTER_UNKNOWN_TYPE = problem_type(
    "register-unknown-type", WARNING, REGISTER,
    "A council type npsxl does not know: the council is kept, and summarised under that type.",
    "unknown council_type {council_type!r}", "use one of: {types} (or leave it empty)",
    council_type="parish", types="county; district; ...")
# fmt: on

# --- round settings ---------------------------------------------------------------------------
ROUND_SETTINGS = section(
    "Round settings",
    "Problems in a round settings file (npsxl generate --round-settings), by file and line.",
)
# fmt: off
ROUND_SETTINGS_UNREADABLE = problem_type(
    "round-settings-unreadable", ERROR, ROUND_SETTINGS,
    "The round settings file is missing, cannot be read, or is not UTF-8 text.",
    "cannot read the round settings file: {reason}",
    "give the path of a YAML file such as samples/round-settings-example.yaml",
    reason="file not found")
ROUND_SETTINGS_NOT_YAML = problem_type(
    "round-settings-not-yaml", ERROR, ROUND_SETTINGS,
    "The file is not valid YAML, or not a list of settings (key: value lines).",
    "not valid round settings: {reason}",
    "write one 'key: value' per line, as samples/round-settings-example.yaml does",
    reason="mapping values are not allowed here")
ROUND_SETTINGS_UNKNOWN_KEY = problem_type(
    "round-settings-unknown-key", ERROR, ROUND_SETTINGS,
    "A key round settings do not have (a typo?).",
    "unknown key {key!r}", "allowed keys: {allowed}",
    key="dealine", allowed="round, deadline, return_to, ...")
ROUND_SETTINGS_BAD_VALUE = problem_type(
    "round-settings-bad-value", ERROR, ROUND_SETTINGS,
    "A setting's value is not what that setting takes (a date, an email address, a text).",
    "{key} is {found}, not {expected}", "{fix}",
    key="deadline", found="'next Friday'", expected="a date",
    fix="write the date as 2027-03-31")
ROUND_SETTINGS_PLACEHOLDER = problem_type(
    "round-settings-placeholder", WARNING, ROUND_SETTINGS,
    "A setting the workbooks show is still its placeholder: the workbooks say it is to be set.",
    "{key} is not set: the workbooks show {placeholder!r}",
    "set {key} in a round settings file (--round-settings) or with --{option}",
    key="deadline", placeholder="[deadline to be set by the sender]", option="deadline")
# fmt: on

# --- checking a returned file, reading the answers, reading many files: the reading layer's
# sections, in a module of their own so that each module stays readable
from npsxl.core.catalogue_reading import *  # noqa: E402, F403

# --- collating --------------------------------------------------------------------------------
COLLATION = section(
    "Collating returns",
    "What collating finds across returns: duplicates, disagreements, partial returns.",
)
AGREED_RETURNS_DISAGREE = problem_type(
    "agreed-returns-disagree",
    WARNING,
    COLLATION,
    "Two returns of one council in one round, each marked as the council's agreed return "
    "and sent by different respondents, give different levels; the most recent one counts.",
    "this agreed return and {other}, both agreed returns of {council} in {round}, "
    "give different levels for {items}; {counted} counts as the council's figure",
    "agree one return and send it as the agreed return; send the others as respondents' views",
    other="returns/leeds-finance.xlsx",
    council="Leeds City Council",
    round="round 2026",
    items="L1 (current level), C2 (target level)",
    counted="returns/leeds.xlsx",
)
VIEW_NOT_IDENTIFIED = problem_type(
    "view-not-identified",
    WARNING,
    COLLATION,
    "A respondent's view names no respondent (no name, email or role), so a resubmission "
    "cannot be told from another respondent's view: it counts as a respondent of its own.",
    "this respondent's view of {council} names no respondent, so it counts as a "
    "respondent of its own",
    "fill in your name, role and email on the 'Start here' sheet and resend it",
    council="Leeds City Council",
)


# --- the documentation ------------------------------------------------------------------------
def render_markdown() -> str:
    """docs/problems.md: every code with its severity, meaning, an example and what to do."""
    lines = [
        "# Problems npsxl reports",
        "",
        "Generated from `npsxl/core/catalogue.py` by "
        "`python -m npsxl.core.catalogue > docs/problems.md`; do not edit by hand.",
        "",
        "Every problem has a **code** (stable: `npsxl validate --format json` and returns.csv "
        "carry it, and codes are never renamed or reused), a **severity** (an *error* rejects "
        "the file or the input; a *warning* is reported and the input is still used), a "
        "**location** (file, and line, sheet, cell or item where known), a message and what "
        "to do.",
        "",
    ]
    for title, about in SECTIONS.items():
        kinds = [kind for kind in CATALOGUE.values() if kind.section == title]
        if not kinds:
            continue
        lines += [
            f"## {title}",
            "",
            about,
            "",
            "| code | severity | meaning |",
            "| --- | --- | --- |",
        ]
        lines += [f"| [`{k.code}`](#{k.code}) | {k.severity} | {k.meaning} |" for k in kinds]
        lines.append("")
        for kind in kinds:
            lines += [f"### `{kind.code}`", "", f"{kind.severity}: {kind.meaning}", ""]
            for number, other in enumerate((kind, *VARIANTS.get(kind.code, ()))):
                example = other.example_problem()
                lines += [f"{'Example' if number == 0 else 'Or'}: {example.message}", ""]
                if example.hint:
                    lines += [f"What to do: {example.hint}", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
