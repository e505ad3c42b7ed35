"""The reading layer's problems: checking a returned file (``FILE``), reading its answers
(``READING``) and reading many files (``BATCH``). Part of :mod:`npsxl.core.catalogue`, which
imports it in its place among the sections; build problems from the catalogue, e.g.
``P.UNKNOWN_LEVEL(...)`` with ``from npsxl.core import catalogue as P``.

This module is over 400 lines because it is one table (``# fmt: off``), a type in four to
six lines: the meanings are written for the coordinators who read docs/problems.md, and say
what a problem means for the return.
"""

from __future__ import annotations

from npsxl.core.problem_types import ERROR, WARNING, problem_type, section, variant

# fmt: off
# --- checking a returned file before it is parsed ---------------------------------------------
FILE = section(
    "Checking a returned file",
    "What the preflight finds before any spreadsheet parser sees a file: its real format, "
    "its size, damage and hostile content.",
)


_RESEND = "send the self-assessment workbook (.xlsx) you were given, filled in"
_NOT_NORMAL = "this is not a normal workbook; send the original self-assessment file"
_RESAVE = "open it, save it again and resend it"
_STRAY_CELL = "delete the stray cell (Ctrl+End shows the last used cell) and resend"

UNREADABLE = problem_type(
    "unreadable", ERROR, FILE,
    "The file could not be opened at all: it is missing, or npsxl may not read it.",
    "cannot read the file: {reason}", "check the file exists and can be read",
    reason="Permission denied")
NOT_A_SPREADSHEET = problem_type(
    "not-a-spreadsheet", ERROR, FILE,
    "The file is not a spreadsheet (whatever its name ends with): a PDF, a web page, CSV text, "
    "an empty file, or a folder or device rather than a file.",
    "not a spreadsheet: {detail}", _RESEND, detail="a PDF document")
NOT_A_REGULAR_FILE = variant(
    NOT_A_SPREADSHEET, "not a regular file (a folder, pipe or device)")
A_FOLDER = variant(
    NOT_A_SPREADSHEET, "not a file but a folder")
UNSUPPORTED_FORMAT = problem_type(
    "unsupported-format", ERROR, FILE,
    "The file is an office document npsxl does not read: a Word or PowerPoint file, another "
    "OpenDocument file, a zip archive, or an Excel 2003 XML or flat OpenDocument spreadsheet.",
    "unsupported format: {detail}", _RESEND, detail="a Word document")
FILE_TOO_LARGE = problem_type(
    "file-too-large", ERROR, FILE,
    "The file, one of its sheets or one of its parts is far bigger than any real return (a "
    "filled workbook is well under 1 MB), so it is not read at all; often a stray value far "
    "below or to the right of the table.",
    "the file is {size_mb:.1f} MB, over the {limit_mb:.0f} MB limit",
    "send the self-assessment workbook itself; a return is under 1 MB", size_mb=24.6, limit_mb=20)
FILE_GREW_TOO_LARGE = variant(
    FILE_TOO_LARGE, "the file is over the {limit_mb:.0f} MB limit",
    "send the self-assessment workbook itself", limit_mb=20)
SHEET_TOO_LARGE = variant(
    FILE_TOO_LARGE,
    "sheet {sheet!r} has a value in {cell}, far outside the table: its used range is {cells:,} "
    "cells, over the limit of {limit:,}",
    _STRAY_CELL, sheet="Self-assessment", cell="XFD1048576", cells=17_179_869_184,
    limit=2_000_000)
PART_TOO_LARGE = variant(
    FILE_TOO_LARGE, "part {part} is {size_mb:.0f} MB, over the limit of {limit_mb:.0f} MB for it",
    _STRAY_CELL, part="xl/workbook.xml", size_mb=18, limit_mb=16)
ZIP_BOMB = problem_type(
    "zip-bomb", ERROR, FILE,
    "The file (a zip container, as every xlsx, xlsm, xlsb and ods is) would unpack to far more "
    "than any real workbook, or has far too many parts, or claims sizes it does not keep to: a "
    "'zip bomb' meant to exhaust the machine. Nothing in it is parsed.",
    "the workbook unpacks to {size_mb:,.0f} MB, over the limit of {limit_mb:.0f} MB", _NOT_NORMAL,
    size_mb=4096, limit_mb=200)
ZIP_DIRECTORY_TOO_BIG = variant(
    ZIP_BOMB,
    "the workbook's directory lists {entries:,} parts in {size:,} bytes, over the limit of "
    "{limit:,} parts",
    entries=65_535, size=4_194_240, limit=2_000)
ZIP_TOO_MANY_PARTS = variant(
    ZIP_BOMB, "the workbook holds {count} parts, over the limit of {limit}", count=2500,
    limit=2000)
PART_TOO_COMPRESSED = variant(
    ZIP_BOMB, "part {part} is compressed {ratio:,.0f}:1, over the limit of {limit:.0f}:1",
    part="xl/worksheets/sheet2.xml", ratio=1028, limit=200)
PART_UNPACKS_TO_MORE = variant(
    ZIP_BOMB, "part {part} unpacks to more than the {size:,} bytes its directory says",
    part="xl/sharedStrings.xml", size=4096)
HOSTILE_XML = problem_type(
    "hostile-xml", ERROR, FILE,
    "A part of the file declares a DTD or XML entities, which no spreadsheet application writes: "
    "the way an entity-expansion ('billion laughs') attack starts. Nothing in it is parsed.",
    "part {part} declares a DTD or XML entities, which a spreadsheet never does (an "
    "entity-expansion attack?)",
    _NOT_NORMAL, part="xl/sharedStrings.xml")
CORRUPT_FILE = problem_type(
    "corrupt-file", ERROR, FILE,
    "The file is damaged: cut short (a download or an e-mail attachment that did not finish), "
    "altered, or its content does not match its own table of contents. Saving it again from the "
    "application that opens it usually mends it.",
    "the file is damaged: {detail}", _RESAVE,
    detail="a damaged or truncated zip container (File is not a zip file)")
DAMAGED_UNREADABLE = variant(
    CORRUPT_FILE, "the file is damaged and cannot be read ({detail})",
    detail="sheet 'Self-assessment': XmlError: unexpected end of file")
PART_MISSING = variant(
    CORRUPT_FILE, "part {part} is missing or damaged (truncated file?)",
    part="xl/worksheets/sheet2.xml")
PART_DAMAGED = variant(
    CORRUPT_FILE, "part {part} is damaged ({detail})", part="xl/worksheets/sheet2.xml",
    detail="size or checksum wrong")
PART_CUT_SHORT = variant(
    CORRUPT_FILE, "part {part} is cut short (truncated file)", part="xl/styles.xml")
PART_COMPRESSION_UNKNOWN = variant(
    CORRUPT_FILE,
    "part {part} uses compression method {method}, which spreadsheet applications do not write",
    part="xl/styles.xml", method=14)
PART_NAMED_TWICE = variant(
    CORRUPT_FILE, "the file holds two parts named {part}", part="xl/worksheets/sheet2.xml")
ENCRYPTED = problem_type(
    "encrypted", ERROR, FILE,
    "The file is protected with a password to open it, so its content cannot be read. (A "
    "password that only protects sheets from editing is no problem.)",
    "the file is {detail}",
    "remove the password (in Excel: File > Info > Protect Workbook > Encrypt with Password, "
    "clear it) and resend",
    detail="a password-protected (encrypted) workbook")
PASSWORD_PROTECTED = variant(
    ENCRYPTED, "the file is password-protected", "remove the password and resend")
ODS_ENCRYPTED = variant(
    ENCRYPTED, "the file is an OpenDocument spreadsheet saved with a password, so its content "
    "is encrypted",
    "save it again without a password (in LibreOffice: File > Save As, clear 'Save with "
    "password') and resend")
PART_ENCRYPTED = variant(
    ENCRYPTED, "part {part} is encrypted (a password-protected zip)", _RESAVE,
    part="xl/worksheets/sheet2.xml")
MACROS_PRESENT = problem_type(
    "macros-present", WARNING, FILE,
    "The workbook was saved macro-enabled (.xlsm). Its answers are read as usual; npsxl never "
    "runs macros.",
    "the workbook is macro-enabled; its macros, if any, were never run",
    "save it as .xlsx next time")

# --- reading the answers ----------------------------------------------------------------------
READING = section(
    "Reading the answers",
    "What the reader finds in a returned workbook: the council, the model, the answers, and "
    "edits that make them doubtful.",
)

_AS_GIVEN = "use the workbook you were given, with every row"
_CHECK_REFS = "check the reference ids in the first column"
_CHECK_SENDER = "check who sent this return"

NOT_NPS = problem_type(
    "not-nps", ERROR, READING,
    "The file is a spreadsheet, but not an NPS self-assessment: it has neither the details of "
    "the model it was made from nor a table of the strategy's reference ids.",
    "this is not an NPS self-assessment: no model information and no table of reference ids was "
    "found",
    "send the NPS self-assessment workbook you were given, filled in")
METADATA_MISSING = problem_type(
    "metadata-missing", WARNING, READING,
    "Details the generator writes into every workbook (which model and version it is for, and "
    "the model's fingerprint) are missing, usually because the answers were copied into another "
    "workbook. npsxl works them out from the table, and says how.",
    "the workbook's model details are missing; the answers were matched to {model} by their "
    "reference ids",
    "use the workbook you were given rather than a copy", model="nps-2018 1.0.0")
MODEL_VERSION_MISSING = variant(
    METADATA_MISSING, "the workbook's model version is missing; it was read as {model}",
    model="nps-2018 1.0.0")
FINGERPRINT_MISSING = variant(
    METADATA_MISSING,
    "the workbook's model fingerprint is missing, so its strategy text could not be checked")
UNKNOWN_MODEL = problem_type(
    "unknown-model", ERROR, READING,
    "The workbook was made from a model, or a model version, that is not in the model archive "
    "used to read it: an old or a test workbook, or an archive that lacks a version.",
    "the workbook is for model {model_id!r}, which is not known here (known: {known})",
    "use the current self-assessment workbook from your coordinator", model_id="nps-2016",
    known="nps-2018 1.0.0, nps-2018 1.1.0")
UNKNOWN_MODEL_VERSION = variant(
    UNKNOWN_MODEL,
    "the workbook is for {model_id} version {version!r}, which is not known here (known: "
    "{known})",
    model_id="nps-2018", version="0.9.0", known="nps-2018 1.0.0, nps-2018 1.1.0")
FINGERPRINT_MISMATCH = problem_type(
    "fingerprint-mismatch", ERROR, READING,
    "The strategy text in the workbook is not the published model's, although the model and "
    "version match: it was generated from an edited copy of the model, so its answers may not "
    "mean what the published levels say.",
    "the workbook's strategy text does not match {model} (its fingerprint differs from the "
    "model's first at character {position}: {found} here, {expected} expected): it was "
    "generated from an edited model",
    "use the workbook generated from the published model", model="nps-2018 1.0.0",
    position=23, found="...3f9a0c1b2d4e[7]a91c02e8...", expected="...3f9a0c1b2d4e[0]b4d7e6f1...")
COUNCIL_MISSING = problem_type(
    "council-missing", ERROR, READING,
    "The workbook does not say which council it is from: no council name or code was chosen on "
    "the 'Start here' sheet.",
    "the council is not named", "choose your council on the 'Start here' sheet")
COUNCIL_UNKNOWN = problem_type(
    "council-unknown", ERROR, READING,
    "The council named in the workbook (by name or by code) is not in the council register, so "
    "the return cannot be counted for a council; close names are suggested.",
    "council {name!r} is not in the register",
    "choose your council from the dropdown on the 'Start here' sheet", name="Leeds Council")
COUNCIL_UNKNOWN_SUGGESTED = variant(
    COUNCIL_UNKNOWN, "council {name!r} is not in the register; did you mean {suggestions}?",
    name="Leeds Council", suggestions="Leeds City Council")
COUNCIL_CODE_UNKNOWN = variant(
    COUNCIL_UNKNOWN, "council code {code!r} is not in the register", code="E99999999")
SOURCES_DISAGREE = problem_type(
    "sources-disagree", WARNING, READING,
    "Two places in the workbook that should say the same thing do not: an answer's row (found by "
    "its reference id) and the cell its defined name points at, usually after rows were sorted "
    "or moved; or the council's name and code; or the model details on the sheet and in the "
    "document properties. The message says which one was used; check it.",
    "the row with reference {item_id} holds {row_value!r} in {row_cell}, but the defined name "
    "{name} points at {name_cell} holding {name_value!r} (fields that differ: {fields}); the row "
    "was used",
    "rows were probably sorted or moved; check the answers", item_id="L1", row_value="Mature",
    row_cell="H5", name="NPS_L1_CURRENT", name_cell="H9", name_value="Developing",
    fields="current")
NAME_ON_ANOTHER_ROW = variant(
    SOURCES_DISAGREE,
    "the row with reference {item_id} holds {row_value!r} in {row_cell}, but the defined name "
    "{name} points at {name_cell} holding {name_value!r}, on the row with reference {other} "
    "(fields that differ: {fields}); the row was used",
    item_id="L1", row_value="Mature", row_cell="H5", name="NPS_L1_CURRENT", name_cell="H6",
    name_value="Developing", other="L2", fields="current, target")
NO_ROW_NAME_ON_ANOTHER_ROW = variant(
    SOURCES_DISAGREE,
    "no row has the reference id {item_id}, and the defined name {name} points at {name_cell} "
    "holding {name_value!r}, on the row with reference {other}; it was not used",
    item_id="L1", name="NPS_L1_CURRENT", name_cell="H6", name_value="Developing", other="L2")
NAMES_MOVED = variant(
    SOURCES_DISAGREE,
    "the defined names of {count} items ({items}) point at cells that no longer hold their row's "
    "answers (rows or columns were sorted, moved or inserted); the rows, found by their "
    "reference ids, were used",
    count=14, items="L1, L2, L3, C1")
NO_ROW_FOR_ITEM = variant(
    SOURCES_DISAGREE,
    "no row has the reference id {item_id}; its {fields} were read from the cells named {names}",
    _CHECK_REFS, item_id="L1", fields="current level, target level", names="NPS_L1_*")
NAME_ON_UNKNOWN_ROW = variant(
    SOURCES_DISAGREE,
    "no row has the reference id {item_id}, and the defined name {name} points at {name_cell}, "
    "on a row that says {row_says!r}; the names of {item_id} were not used",
    _CHECK_REFS, item_id="L3", name="NPS_L3_CURRENT", name_cell="I8", row_says="Commercial")
NO_REFERENCE_IDS = variant(
    SOURCES_DISAGREE,
    "no row of the table has a reference id (the 'Ref' column); the answers were read from the "
    "workbook's defined names",
    _CHECK_REFS)
PROPERTIES_DISAGREE = variant(
    SOURCES_DISAGREE,
    "the workbook's {key} is {sheet_value!r} on its sheet but {property_value!r} in its document "
    "properties; {sheet_value!r} was used",
    "use the workbook you were given, unedited", key="model version", sheet_value="1.0.0",
    property_value="1.1.0")
COUNCIL_NAME_AND_CODE_DISAGREE = variant(
    SOURCES_DISAGREE,
    "the council named is {named} but the workbook's council code {code} is {coded}; {named} was "
    "used",
    _CHECK_SENDER, named="Leeds City Council", code="E08000036", coded="Wakefield City Council")
COUNCIL_NAME_UNKNOWN_CODE_USED = variant(
    SOURCES_DISAGREE,
    "council {name!r} is not in the register; the workbook's council code {code} ({council}) was "
    "used",
    _CHECK_SENDER, name="Leeds Council", code="E08000035", council="Leeds City Council")
ID_AND_NAME_DISAGREE = variant(
    SOURCES_DISAGREE,
    "the row with reference id {ref!r} holds the item name {name!r}, which is {item_id}'s: the "
    "item name says which item a row is, so it was read as {item_id} (field: reference id)",
    _CHECK_REFS, ref="L2", name="Engaging councillors", item_id="L1")
LOOKALIKE_COLUMN_NAMED = variant(
    SOURCES_DISAGREE,
    "two columns are headed like the {field}: {first} ({first_header!r}) and {second} "
    "({second_header!r}); {chosen} was read, as the workbook's defined names point at it",
    "delete or rename the column that does not hold this round's answers",
    field="current level", first="I", first_header="Current level (2025)", second="J",
    second_header="Current level (2026)", chosen="J")
LOOKALIKE_COLUMN_ROUND = variant(
    SOURCES_DISAGREE,
    "two columns are headed like the {field}: {chosen} ({chosen_header!r}) and {other} "
    "({other_header!r}); {chosen} was read, as {other} is headed with another year than the "
    "workbook's round, {round}",
    "delete the column that does not hold this round's answers", field="current level",
    chosen="J", chosen_header="Current level (2026)", other="I",
    other_header="Current level (2025)", round="2026")
NAME_IN_OTHER_COLUMN = variant(
    SOURCES_DISAGREE,
    "the {field} of {item_id} was not read: no column is headed {header!r}, and the defined name "
    "{name} points at {name_cell}, in the column headed {other!r}",
    "restore the column, or type the answer again in the workbook you were given",
    field="evidence", item_id="L1", header="Evidence for the current level",
    name="NPS_L1_EVIDENCE", name_cell="K6", other="Actions planned to reach the target")
NAMED_CELL_USED = variant(
    SOURCES_DISAGREE,
    "the {field} of {item_id} was read from {name_cell}, where the defined name {name} points: "
    "no column of the table is headed {header!r}",
    "check the answer; restore the column's header", field="evidence", item_id="L1",
    name_cell="K6", name="NPS_L1_EVIDENCE", header="Evidence for the current level")
DETAIL_NAME_MOVED = variant(
    SOURCES_DISAGREE,
    "the defined name {name} points at {name_cell}, beside {beside!r}: the detail {label!r} was "
    "read from {cell}, beside its label",
    "rows were probably inserted or deleted on the sheet; check the details",
    name="NPS_RESPONDENT_NAME", name_cell="C17", beside="", cell="C18", label="Your name")
DETAIL_NAME_NOT_USED = variant(
    SOURCES_DISAGREE,
    "the defined name {name} points at {name_cell}, beside the label {beside!r}, and no cell is "
    "labelled {label!r}: the detail {label!r} was not read",
    "rows were probably inserted or deleted on the sheet; check the details",
    name="NPS_RESPONDENT_NAME", name_cell="C18", beside="Your role", label="Your name")
ANSWERS_ON_OTHER_SHEET = variant(
    SOURCES_DISAGREE,
    "the answers were read from sheet {sheet!r}: the {original!r} sheet has no levels chosen",
    "keep the answers on the 'Self-assessment' sheet and delete the copy",
    sheet="Self-assessment (2)", original="Self-assessment")
ISSUED_TO_ANOTHER = variant(
    SOURCES_DISAGREE,
    "the workbook was issued to {issued} ({issued_code}), as its metadata says, but its details "
    "name {typed}; it was counted for {issued}",
    "if the answers are {typed}'s, ask them to fill in a workbook issued to them",
    issued="Leeds City Council", issued_code="E08000035",
    typed="Wakefield Metropolitan District Council")
SOURCES_UNSETTLED = problem_type(
    "sources-unsettled", ERROR, READING,
    "Two places in the workbook disagree about one answer and nothing else in the workbook "
    "settles which is right: two columns headed alike (last round's levels beside this "
    "round's, say) with no defined names to tell them apart, or two sheets holding different "
    "answers. That answer is not read rather than guessed, and the message names both.",
    "two columns could hold the {field}: {first} ({first_header!r}) and {second} "
    "({second_header!r}), and nothing in the workbook says which; the {field} was not read",
    "delete or rename the column that does not hold this round's answers", field="current level",
    first="I", first_header="Current level (2025)", second="J",
    second_header="Current level (2026)")
OTHER_ROUND_COLUMN = variant(
    SOURCES_UNSETTLED,
    "the only column headed like the {field}, {column} ({header!r}), is headed with another "
    "year than the workbook's round, {round}: it may hold another round's answers, so the "
    "{field} was not read",
    "put this round's answers in a column headed as in the workbook you were given",
    field="current level", column="I", header="Current level (2025)", round="2026")
SHEETS_DISAGREE = variant(
    SOURCES_UNSETTLED,
    "sheets {first!r} and {second!r} both hold answers, and they differ (first at {item_id}, "
    "{field}: {first_value!r} and {second_value!r}); the answers of {first!r} were read",
    "keep the answers on one sheet and delete the other", first="Self-assessment",
    second="Our answers", item_id="L1", field="current level", first_value="Mature",
    second_value="Leader")
ISSUED_TO_UNSETTLED = variant(
    SOURCES_UNSETTLED,
    "the workbook's Metadata sheet says it was issued to council {sheet_code} but its document "
    "properties say {property_code}, and its details name {typed}: whose return it is was not "
    "settled",
    "ask the council that sent it which council the answers are for, and send them the "
    "workbook issued to that council", sheet_code="E08000036", property_code="E08000035",
    typed="Wakefield Metropolitan District Council")
COLUMN_MISSING = variant(
    SOURCES_DISAGREE,
    "no column of the table on sheet {sheet!r} is headed {header!r}: no item's {field} was read",
    "restore the column, or use the workbook you were given", sheet="Self-assessment",
    header="Evidence for the current level", field="evidence")
DUPLICATE_ITEM = problem_type(
    "duplicate-item", ERROR, READING,
    "An item of the strategy has two rows in the table (a row copied, or pasted twice): npsxl "
    "cannot tell which answer is meant.",
    "item {item_id} appears more than once: on row {first} and row {extra}; the first was used",
    "delete the extra row so each item appears once", item_id="L1", first=5, extra=19)
FORMULA_IN_INPUT = problem_type(
    "formula-in-input", WARNING, READING,
    "A cell the council should type or choose into holds a formula. Only typed values count (a "
    "formula's value is what the application last worked out, which npsxl cannot check), so the "
    "cell is read as empty.",
    "{ref} holds a formula; only typed values count, so it was ignored",
    "type or choose the value instead of a formula", ref="H5")
UNKNOWN_LEVEL = problem_type(
    "unknown-level", ERROR, READING,
    "A current or target level is not one of the model's levels, nor a recognisable variant of "
    "one (such as '3' or 'mature').",
    "the {field} of {item_id} is {value!r}, which is not a level; allowed: {allowed}",
    "choose the level from the dropdown", field="current level", item_id="L1", value="Very good",
    allowed="Minimum, Developing, Mature, Leader, Innovator")
LEVEL_NOT_FROM_LIST = problem_type(
    "level-not-from-list", WARNING, READING,
    "A level was typed rather than chosen from the dropdown, in a form npsxl recognises (a "
    "number, another case, 'Level 3 - Mature'...): it was read as the level shown.",
    "the {field} of {item_id} is {value!r}, not the dropdown text; read as {level!r}",
    "choose levels from the dropdown", field="target level", item_id="L1", value="3",
    level="Mature")
TARGET_BELOW_CURRENT = problem_type(
    "target-below-current", WARNING, READING,
    "An item's target level is lower than its current level: allowed, but usually a slip.",
    "{item_id}: the target level {target} is below the current level {current}",
    "check the levels; a target is usually at or above the current level", item_id="C2",
    target="Developing", current="Mature")
TEXT_TOO_LONG = problem_type(
    "text-too-long", WARNING, READING,
    "Evidence or actions text fills an Excel cell to its limit of 32,767 characters, so whatever "
    "was typed or pasted beyond it is lost.",
    "the {field} of {item_id} reaches Excel's limit of {limit:,} characters for a cell; any text "
    "beyond it was cut",
    "shorten it or refer to a document", field="evidence", item_id="E2", limit=32_767)
INCOMPLETE = problem_type(
    "incomplete", ERROR, READING,
    "The self-assessment is not finished: an item has no current or no target level, an item's "
    "row is missing, or no level at all was chosen. An item left without a level is a warning "
    "(the return counts for the items it answers) unless complete returns are required; no "
    "level at all, or no table, is always an error.",
    "{item_id} ({name}): no {missing} level",
    "choose both a current and a target level for every item", item_id="L2",
    name="Engaging senior managers", missing="current and target")
ITEM_MISSING = variant(
    INCOMPLETE, "item {item_id} ({name}) is missing from the workbook", _AS_GIVEN, item_id="L2",
    name="Engaging senior managers")
TABLE_NOT_FOUND = variant(
    INCOMPLETE,
    "the self-assessment table was not found: no row has a reference id such as {example_id}",
    _AS_GIVEN, example_id="L1")
SHEET_NOT_FOUND = variant(
    INCOMPLETE,
    "the '{sheet}' sheet is missing (the workbook has {sheets}), and no other sheet has its "
    "table: no row has a reference id such as {example_id}",
    "send the workbook you were given with its '{sheet}' sheet, filled in", sheet="Self-assessment",
    sheets="'Start here', 'Guidance'", example_id="L1")
NOTHING_CHOSEN = variant(
    INCOMPLETE,
    "no levels have been chosen: all {count} items have no current or target level (the "
    "self-assessment is blank)",
    "choose a current and a target level for every item on the '{sheet}' sheet", count=14,
    sheet="Self-assessment")
READER_ERROR = problem_type(
    "reader-error", ERROR, READING,
    "npsxl itself failed on this file: a fault in npsxl rather than in the file. The other files "
    "are read as usual.",
    "npsxl could not read this file ({error})",
    "report this to the npsxl maintainers with the file",
    error="IndexError: list index out of range")
RETURN_KIND_UNKNOWN = problem_type(
    "return-kind-unknown", WARNING, READING,
    "The 'This return is' field on the 'Start here' sheet holds neither choice of its list: "
    "the return counts as the council's agreed return, as a blank field does.",
    "'This return is' says {value!r}, which is neither {choices}; it counts as the council's "
    "agreed return",
    "choose one of the two from the list on the 'Start here' sheet and resend it",
    value="draft", choices="\"The council's agreed return\" nor \"One officer's view\"")

# --- reading many files -----------------------------------------------------------------------
BATCH = section(
    "Reading many files",
    "A file that stops or outlasts the process reading it, in a batch.",
)

_RESAVE_XLSX = "open it, save it again as .xlsx and resend it"

READ_FAILED = problem_type(
    "read-failed", ERROR, BATCH,
    "Reading the file stopped with an error the reader did not turn into a problem of its own (a "
    "fault in a reader given to the batch, or in the spreadsheet parser). The other files are "
    "read as usual.",
    "the file could not be read ({error})", _RESAVE_XLSX,
    error="PanicException: index out of bounds: the len is 2 but the index is 4")
READER_CRASHED = problem_type(
    "reader-crashed", ERROR, BATCH,
    "The process reading the file stopped dead while reading it: a crash in the native "
    "spreadsheet parser, or the file needed more memory than the machine has. The other files "
    "are read as usual. (Found when files are read in worker processes, with --jobs 2 or more.)",
    "reading this file stopped the reader's process (a crash in the spreadsheet parser, or the "
    "file needed more memory than the machine has)",
    _RESAVE_XLSX + "; if it still fails, report it to the npsxl maintainers with the file")
READ_TIMEOUT = problem_type(
    "read-timeout", ERROR, BATCH,
    "Reading the file took longer than the time allowed for one file (60 seconds by default), so "
    "it was stopped; a normal return takes a few milliseconds. The other files are read as "
    "usual. (Found when files are read in worker processes, with --jobs 2 or more.)",
    "reading this file took longer than {timeout:g} seconds and was stopped (a normal return "
    "takes a fraction of a second)",
    _RESAVE_XLSX, timeout=60.0)
# fmt: on
