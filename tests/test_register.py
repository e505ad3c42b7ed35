"""Tests for the council register: shipped samples, the generator script, matching, checks."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from npsxl.core.errors import CouncilNotFound, NpsxlError, RegisterError
from npsxl.model.defaults import PACKAGED_REGISTERS
from npsxl.model.register import (
    COUNCIL_TYPES,
    REGIONS,
    Council,
    Register,
    normalise_council_name,
)
from npsxl.model.register_csv import load_register

REPO = Path(__file__).resolve().parent.parent
SAMPLE_2018 = PACKAGED_REGISTERS["2018"]
SAMPLE_2025 = PACKAGED_REGISTERS["2025"]
SCRIPT = REPO / "scripts" / "make_register.py"
REFERENCE = REPO / "sources" / "uk_local_authorities_current.csv"

HEADER = "code,register_code,name,short_name,region,council_type\n"


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(SAMPLE_2018)


def write(tmp_path: Path, text: str, name: str = "register.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(RegisterError) as info:
        load_register(path)
    return info.value.problems


def located(problems) -> set[tuple[str, int | None, str | None]]:
    return {(p.code, p.location.line, p.location.path) for p in problems}


# --- shipped samples -------------------------------------------------------------------


def test_sample_2018_has_353_councils_in_nine_regions(register):
    assert len(register) == 353
    assert register.regions == sorted(REGIONS)
    assert register.warnings == []
    assert register.extra_columns == ()
    assert len({c.code for c in register}) == 353


def test_sample_2018_type_counts(register):
    assert Counter(c.council_type for c in register) == {
        "district": 201,
        "unitary": 56,
        "metropolitan district": 36,
        "London borough": 32,
        "county": 27,
        "City of London": 1,
    }
    assert set(COUNCIL_TYPES) == {c.council_type for c in register}


@pytest.mark.parametrize(
    "code, name", [("DBY", "Derbyshire County Council"), ("LIN", "Lincolnshire County Council")]
)
def test_region_errors_are_corrected(register, code, name):
    council = register.by_code(code)
    assert council is not None
    assert council.name == name
    assert council.region == "East Midlands"
    assert council in register.in_region("east midlands")


def test_abolished_councils_without_source_region_get_one(register):
    assert register.match("Forest Heath").region == "East of England"
    assert register.match("Borough of Poole").region == "South West"


def test_sample_2025_has_317_councils(register):
    later = load_register(SAMPLE_2025)
    assert len(later) == 317
    assert later.regions == sorted(REGIONS)
    assert later.match("Somerset").code == "E06000066"  # Somerset Council, a unitary since 2023
    assert later.find("Forest Heath") is None


def test_sample_has_credit_in_readme_not_in_csv():
    credit = "Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0)"
    assert credit in (SAMPLE_2018.parent / "README.md").read_text(encoding="utf-8")
    assert credit in SCRIPT.read_text(encoding="utf-8")
    assert SAMPLE_2018.read_text(encoding="utf-8").startswith(HEADER)


@pytest.mark.parametrize("date, sample", [("2018-06-01", SAMPLE_2018), ("2025-07-01", SAMPLE_2025)])
def test_script_regenerates_samples_byte_identically(tmp_path, date, sample):
    assert REFERENCE.is_file(), f"reference data missing: {REFERENCE}"
    out = tmp_path / "x.csv"
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--reference",
            str(REFERENCE),
            "--date",
            date,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == sample.read_bytes()


def test_script_default_reference_and_missing_reference(tmp_path):
    out = tmp_path / "x.csv"
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "353" in ok.stdout
    assert out.read_bytes() == SAMPLE_2018.read_bytes()
    missing = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--reference",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "y.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0
    assert "reference file not found" in missing.stderr
    assert not (tmp_path / "y.csv").exists()


# --- matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, name",
    [
        ("Leeds", "Leeds City Council"),
        ("Leeds City Council", "Leeds City Council"),
        ("leeds city council", "Leeds City Council"),
        ("LEEDS", "Leeds City Council"),
        ("  Leeds   City  Council ", "Leeds City Council"),
        ("Leeds Council", "Leeds City Council"),
        ("Brighton & Hove", "Brighton and Hove City Council"),
        ("Brighton and Hove City Council", "Brighton and Hove City Council"),
        ("Barking and Dagenham", "London Borough of Barking and Dagenham"),
        ("Barking & Dagenham Council", "London Borough of Barking and Dagenham"),
        ("Hammersmith and Fulham", "London Borough of Hammersmith & Fulham"),
        ("Kensington and Chelsea", "Royal Borough of Kensington and Chelsea"),
        ("Bradford", "City of Bradford Metropolitan District Council"),
        ("Barnsley Metropolitan Borough Council", "Barnsley Metropolitan Borough Council"),
        ("Barnsley", "Barnsley Metropolitan Borough Council"),
        ("York", "City of York Council"),
        ("Isles of Scilly", "Council of the Isles of Scilly"),
        ("Poole", "Borough of Poole"),
        ("King's Lynn and West Norfolk", "Borough Council of Kings Lynn and West Norfolk"),
        ("St. Helens", "St Helens Council"),
        ("Stockton on Tees", "Stockton-on-Tees Borough Council"),
        ("Kingston upon Hull", "Hull City Council"),  # short name
        ("County Durham", "Durham County Council"),
        ("Derby", "Derby City Council"),
        ("Derbyshire", "Derbyshire County Council"),
        ("Derbyshire County Council", "Derbyshire County Council"),
        ("Newcastle upon Tyne", "Newcastle City Council"),
        ("Newcastle-under-Lyme", "Newcastle-under-Lyme Borough Council"),
        ("Wyre", "Wyre Borough Council"),
        ("Wyre Forest", "Wyre Forest District Council"),
        ("Richmond upon Thames", "London Borough of Richmond upon Thames"),
        ("Richmondshire", "Richmondshire District Council"),
    ],
)
def test_match_by_name(register, query, name):
    assert register.match(query).name == name
    assert register.find(query).name == name


@pytest.mark.parametrize("query", ["E08000035", "e08000035", "LDS", "lds", " Lds "])
def test_match_by_code(register, query):
    council = register.match(query)
    assert (council.code, council.register_code) == ("E08000035", "LDS")
    assert register.by_code(query) == council


def test_by_code_unknown_is_none(register):
    assert register.by_code("E99999999") is None
    assert register.by_code("") is None


def test_normalise_council_name():
    assert normalise_council_name("Leeds City Council") == "leeds"
    assert normalise_council_name("LEEDS") == "leeds"
    assert normalise_council_name("Brighton & Hove") == normalise_council_name(
        "Brighton and Hove City Council"
    )
    assert normalise_council_name("London Borough of Barking and Dagenham") == (
        "barking and dagenham"
    )
    assert normalise_council_name("Council") == "council"


def test_no_collisions_after_normalising_shipped_registers(register):
    for reg in (register, load_register(SAMPLE_2025)):
        owners: dict[str, set[str]] = {}
        for council in reg:
            for text in (council.name, council.short_name):
                owners.setdefault(normalise_council_name(text), set()).add(council.code)
        assert {k: v for k, v in owners.items() if len(v) > 1} == {}


@pytest.mark.parametrize("query", ["Leedz", "Leeds Citty"])
def test_unknown_name_suggests_close_matches(register, query):
    with pytest.raises(CouncilNotFound) as info:
        register.match(query)
    assert info.value.query == query
    assert info.value.suggestions[0] == "Leeds City Council"
    assert len(info.value.suggestions) <= 5
    assert "Leeds City Council" in str(info.value)
    assert register.find(query) is None


def test_partial_name_suggests_the_council(register):
    with pytest.raises(CouncilNotFound) as info:
        register.match("Kings Lynn")
    assert info.value.suggestions == ["Borough Council of Kings Lynn and West Norfolk"]


def test_nonsense_and_empty_queries_have_no_suggestions(register):
    for query in ["Zzzzqqq", "", "Council"]:
        with pytest.raises(CouncilNotFound) as info:
            register.match(query)
        assert info.value.suggestions == []


def council(code: str, name: str, short_name: str = "", reg_code: str = "") -> Council:
    return Council(code, reg_code, name, short_name or name, "South West", "")


def test_ambiguous_normalised_name_lists_candidates_but_exact_names_resolve():
    reg = Register(
        (
            council("E10000027", "Somerset County Council", "Somerset", "SOM"),
            council("E06000066", "Somerset Council", "Somerset", "SMT"),
            council("E10000009", "Dorset County Council", "Dorset County", "DOR"),
            council("E06000059", "Dorset Council", "Dorset Council", "DST"),
        )
    )
    for query, candidates in [
        ("Somerset", {"Somerset County Council", "Somerset Council"}),
        ("Dorset", {"Dorset County Council", "Dorset Council"}),
    ]:
        with pytest.raises(CouncilNotFound) as info:
            reg.match(query)
        assert set(info.value.suggestions) == candidates
        assert reg.find(query) is None
    assert reg.match("somerset council").code == "E06000066"
    assert reg.match("Somerset County Council").code == "E10000027"
    assert reg.match("dorset county").code == "E10000009"
    assert reg.match("SOM").code == "E10000027"
    assert reg.match("e06000059").code == "E06000059"


def test_in_region(register):
    london = register.in_region("london")
    assert len(london) == 33
    assert {c.council_type for c in london} == {"London borough", "City of London"}
    assert len(register.in_region("Yorkshire and the Humber")) == 22
    with pytest.raises(NpsxlError) as info:
        register.in_region("Midlands")
    assert "East Midlands" in str(info.value)


def test_known_region_absent_from_register_is_empty(tmp_path):
    reg = load_register(
        write(
            tmp_path,
            HEADER + "E06000001,HPL,Hartlepool Borough Council,Hartlepool,North East,unitary\n",
        )
    )
    assert reg.in_region("London") == []
    with pytest.raises(NpsxlError, match="North East"):
        reg.in_region("Narnia")


# --- loading and checking --------------------------------------------------------------


def test_minimal_register_defaults_optional_columns(tmp_path):
    path = write(tmp_path, "code,name,region\nE1,Alpha Council,north west\n")
    reg = load_register(path)
    (only,) = reg.councils
    assert only == Council("E1", "", "Alpha Council", "Alpha Council", "North West", "")
    assert reg.source == str(path)
    assert reg.match("alpha") is only


def test_extra_column_kept_in_file_order(tmp_path):
    path = write(
        tmp_path,
        "hub,code,name,region,Notes\n"
        "Hub A,E1,Alpha Council,London,first\n"
        "Hub B,E2,Beta Council,London,\n",
    )
    reg = load_register(path)
    assert reg.extra_columns == ("hub", "Notes")
    assert dict(reg.match("Alpha").extra) == {"hub": "Hub A", "Notes": "first"}
    assert list(reg.match("Beta").extra) == ["hub", "Notes"]
    assert reg.match("Beta").extra["Notes"] == ""


def test_bom_and_whitespace_accepted(tmp_path):
    path = write(
        tmp_path,
        HEADER + " E1 , AAA , Alpha Council ,  Alpha , London , unitary \r\n",
        encoding="utf-8-sig",
    )
    reg = load_register(path)
    (only,) = reg.councils
    assert (only.code, only.register_code, only.name, only.short_name) == (
        "E1",
        "AAA",
        "Alpha Council",
        "Alpha",
    )
    assert reg.by_code("aaa") is only


def test_unknown_council_type_is_a_warning(tmp_path):
    path = write(
        tmp_path,
        HEADER + "E1,AAA,Alpha Council,Alpha,London,parish\n"
        "E2,BBB,Beta Council,Beta,London,UNITARY\n",
    )
    reg = load_register(path)
    assert len(reg) == 2
    assert reg.match("Beta").council_type == "unitary"
    assert located(reg.warnings) == {("register-unknown-type", 2, "council_type")}
    assert "parish" in reg.warnings[0].message
    assert not reg.warnings[0].is_error


def test_missing_file(tmp_path):
    (problem,) = problems_of(tmp_path / "nope.csv")
    assert problem.code == "register-unreadable"
    assert problem.location.file == str(tmp_path / "nope.csv")


def test_not_utf8(tmp_path):
    path = write(tmp_path, HEADER + "E1,AAA,Ynys Môn,Môn,London,unitary\n", encoding="cp1252")
    (problem,) = problems_of(path)
    assert (problem.code, problem.location.line) == ("register-unreadable", 2)
    assert "UTF-8" in str(problem)


@pytest.mark.parametrize("text", ["", HEADER, "\n\n", HEADER + "\n,,,,,\n"])
def test_empty_register(tmp_path, text):
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.code == "register-empty"


def test_missing_required_columns_all_reported(tmp_path):
    problems = problems_of(write(tmp_path, "gss,name\nE1,Alpha\n"))
    assert located(problems) == {
        ("register-missing-column", 1, "code"),
        ("register-missing-column", 1, "region"),
    }


def test_each_broken_row_is_located(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "E1,AAA,Alpha Council,Alpha,London,unitary\n"  # line 2: fine
        + ",BBB,Beta Council,Beta,London,unitary\n"  # line 3: no code
        + "E3,CCC,,,London,unitary\n"  # line 4: no name
        + "E1,DDD,Delta Council,Delta,London,unitary\n"  # line 5: duplicate of line 2
        + "E5,EEE,Echo Council,Echo,Midlands,unitary\n"  # line 6: unknown region
        + "\n"  # line 7: blank, ignored
        + 'E8,FFF,"Foxtrot, the Council",Foxtrot,Wales,parish\n'  # line 8: region + type
        + "E9,AAA,Golf Council,Golf,,unitary\n",  # line 9: no region, repeated register code
    )
    with pytest.raises(RegisterError) as info:
        load_register(path)
    error = info.value
    assert located(error.problems) == {
        ("register-missing-value", 3, "code"),
        ("register-missing-value", 4, "name"),
        ("register-duplicate-code", 5, "code"),
        ("register-unknown-region", 6, "region"),
        ("register-unknown-region", 8, "region"),
        ("register-unknown-type", 8, "council_type"),
        ("register-missing-value", 9, "region"),
        ("register-duplicate-code", 9, "register_code"),
    }
    assert str(error).startswith(f"{path}: 8 problem(s) in council register")
    by_line = {p.location.line: p for p in error.problems if p.is_error}
    assert "line 2" in by_line[5].message
    assert "'Midlands'" in by_line[6].message and "East Midlands" in by_line[6].hint
    assert all(p.location.file == str(path) and p.hint for p in error.problems)
    assert f"{path}:5" in str(error)


def test_line_numbers_count_multiline_values(tmp_path):
    path = write(tmp_path, 'code,name,region\nE1,"Alpha\nCouncil",London\nE2,,London\n')
    assert located(problems_of(path)) == {("register-missing-value", 4, "name")}


def test_too_many_values_in_a_row(tmp_path):
    path = write(tmp_path, "code,name,region\nE1,Alpha, Council,London\n")
    problems = problems_of(path)
    assert ("register-extra-values", 2, None) in located(problems)


def test_region_spelling_is_normalised(tmp_path):
    path = write(tmp_path, "code,name,region\nE1,Alpha,yorkshire & the humber\nE2,Beta,LONDON\n")
    reg = load_register(path)
    assert [c.region for c in reg] == ["Yorkshire and The Humber", "London"]
    assert reg.regions == ["London", "Yorkshire and The Humber"]
