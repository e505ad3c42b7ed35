"""What npsxl uses when it is not told: ./model.yaml, ./models/ and ./councils.csv when the
current folder has them, else the model, archive and register shipped in the package; and
what it says about it. Also: the package data is where the package (and the wheel) has it."""

from __future__ import annotations

import configparser
import fnmatch
import shutil

import pytest
from click.testing import CliRunner
from conftest import ROOT, without_lineage

from npsxl.cli import cli
from npsxl.core.errors import ModelError, RegisterError
from npsxl.model import defaults
from npsxl.model.archive import ModelArchive
from npsxl.model.loading import load_model, model_from_text

SHIPPED = (ROOT / "model.yaml").read_text(encoding="utf-8")
OURS = model_from_text(SHIPPED)  # the repository's model.yaml
ARCHIVED = [load_model(path) for path in sorted(defaults.PACKAGED_ARCHIVE.glob("*.yaml"))]
REPLACED = {(m.replaces.model_id, m.replaces.version) for m in ARCHIVED if m.replaces}
[NEWEST] = [m for m in ARCHIVED if (m.id, m.version) not in REPLACED]
PACKAGED = f"model: the packaged model ({NEWEST.id} {NEWEST.version})"
PACKAGED_ARCHIVE = "archive: the packaged archive ({})".format(
    ", ".join(f"{m.id} {m.version}" for m in ARCHIVED)
)
PACKAGED_REGISTER = "register: the packaged register of 2018 (353 councils)"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def told(result) -> list[str]:
    """The lines of stderr that say which model, archive or register was used."""
    return [
        line
        for line in result.stderr.splitlines()
        if line.startswith(("model: ", "archive: ", "register: "))
    ]


@pytest.fixture
def empty(tmp_path, monkeypatch):
    """An unrelated, empty current folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the package data ----------------------------------------------------------------------------


def test_the_repository_model_is_a_published_version():
    archived = sorted(defaults.PACKAGED_ARCHIVE.glob("*.yaml"))
    assert archived, f"no model in {defaults.PACKAGED_ARCHIVE}"
    same = [path.name for path in archived if path.read_bytes() == SHIPPED.encode("utf-8")]
    assert same, (
        "model.yaml is not a published version: once `npsxl model check` accepts it, copy it "
        "into npsxl/data/models/ as <id>-<version>.yaml (a new version), or restore it"
    )
    model = load_model(ROOT / "model.yaml")
    assert same == [f"{model.id}-{model.version}.yaml"]


def test_every_archived_file_is_named_by_its_id_and_version():
    for path in defaults.PACKAGED_ARCHIVE.glob("*.yaml"):
        model = load_model(path)
        assert path.name == f"{model.id}-{model.version}.yaml"


def test_the_packaged_model_is_the_newest_archived_version():
    newest = defaults.packaged_model()
    assert (newest.id, newest.version, newest.fingerprint) == (
        NEWEST.id,
        NEWEST.version,
        NEWEST.fingerprint,
    )
    assert len(defaults.packaged_archive()) == len(ARCHIVED)


def test_the_packaged_registers():
    assert len(defaults.packaged_register()) == 353
    assert len(defaults.packaged_register("2025")) == 317
    with pytest.raises(ValueError, match="2018, 2025"):
        defaults.packaged_register("2019")


def test_the_wheel_takes_every_file_of_the_package_data():
    """setup.cfg's package_data names every file under npsxl/data (CI builds and installs the
    wheel, and runs the quick start from it)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = config["options.package_data"]["npsxl"].split()
    package = ROOT / "npsxl"
    data = [p.relative_to(package).as_posix() for p in (package / "data").rglob("*") if p.is_file()]
    assert data, "no package data"
    assert [p for p in data if not any(fnmatch.fnmatch(p, pat) for pat in patterns)] == []
    assert not list((package / "data").rglob("*.py")), "package data, not code"


def test_the_public_api_loads_what_the_package_ships():
    import npsxl

    assert npsxl.packaged_model().fingerprint == NEWEST.fingerprint
    assert len(npsxl.packaged_archive()) == len(ARCHIVED)
    assert len(npsxl.packaged_register("2025")) == 317
    archive = npsxl.load_archive(defaults.PACKAGED_ARCHIVE, extra=[OURS])
    assert archive.find(OURS.id, OURS.version) is not None


# --- the newest version of an archive ------------------------------------------------------------


def test_an_archive_with_two_newest_versions_or_none_is_an_error():
    one = model_from_text(SHIPPED, "a.yaml")
    line = f'version: "{OURS.version}"'
    assert SHIPPED.count(line) == 1
    other = model_from_text(SHIPPED.replace(line, 'version: "9.9.9"'), "b.yaml")
    assert ModelArchive((one,)).newest() is one
    with pytest.raises(ModelError) as caught:
        ModelArchive((one, other)).newest("models")
    [problem] = caught.value.problems
    assert problem.code == "archive-no-newest"
    assert str(problem) == (
        f"models: 2 versions are replaced by no other (nps-2018 {OURS.version}, nps-2018 9.9.9): "
        "which is the newest is unclear (give the newer version a replaces: block naming the one "
        "it replaces)"
    )
    with pytest.raises(ModelError) as caught:
        ModelArchive(()).newest("models")
    assert [p.code for p in caught.value.problems] == ["archive-no-newest"]
    assert "no model file" in caught.value.problems[0].message


# --- choosing, through the library ---------------------------------------------------------------


def test_an_empty_folder_uses_the_packaged_model_archive_and_register(empty):
    model = defaults.choose_model()
    archive = defaults.choose_archive(extra=[model.value])
    register = defaults.choose_register()
    assert [str(model), str(archive), str(register)] == [
        PACKAGED,
        PACKAGED_ARCHIVE,
        PACKAGED_REGISTER,
    ]
    assert not (model.given or archive.given or register.given)
    assert model.value.fingerprint == defaults.packaged_model().fingerprint
    assert register.value.source == str(defaults.PACKAGED_REGISTERS["2018"])


def test_the_current_folder_s_own_files_come_first(empty):
    (empty / "model.yaml").write_text(SHIPPED, encoding="utf-8")
    example = ROOT / "samples" / "model-1.1-example.yaml"
    shutil.copytree(defaults.PACKAGED_ARCHIVE, empty / "models")
    shutil.copy(example, empty / "models" / "nps-2018-1.1.0-example.yaml")
    (empty / "councils.csv").write_text(
        "code,name,region\nE08000035,Leeds City Council,Yorkshire and The Humber\n",
        encoding="utf-8",
    )
    model = defaults.choose_model()
    assert (str(model), model.value.source) == (
        f"model: ./model.yaml ({OURS.id} {OURS.version})",
        "model.yaml",
    )
    assert str(defaults.choose_archive()) == (
        "archive: ./models/ ({})".format(
            ", ".join([*(f"{m.id} {m.version}" for m in ARCHIVED), "nps-2018 1.1.0-example"])
        )
    )
    register = defaults.choose_register()
    assert (str(register), register.value.source) == (
        "register: ./councils.csv (1 council)",
        "councils.csv",
    )


def test_named_files_override_the_defaults(empty):
    (empty / "model.yaml").write_text("not: a model\n", encoding="utf-8")
    example = ROOT / "samples" / "model-1.1-example.yaml"
    model = defaults.choose_model(example)
    assert model.given and str(model) == f"model: {example} (nps-2018 1.1.0-example)"
    archive = defaults.choose_archive(defaults.PACKAGED_ARCHIVE)
    assert archive.given and archive.source == str(defaults.PACKAGED_ARCHIVE)
    register = defaults.choose_register(defaults.PACKAGED_REGISTERS["2025"])
    assert register.given and len(register.value) == 317


def test_a_broken_model_in_the_current_folder_is_an_error_never_a_fallback(empty):
    (empty / "model.yaml").write_text(
        without_lineage(SHIPPED).replace("id: L1\n", "id: 1L\n"), encoding="utf-8"
    )
    with pytest.raises(ModelError) as caught:
        defaults.choose_model()
    [problem] = caught.value.problems
    assert (problem.code, problem.location.file) == ("model-bad-id", "model.yaml")
    (empty / "councils.csv").write_text("code,name\n", encoding="utf-8")
    with pytest.raises(RegisterError):
        defaults.choose_register()


# --- choosing, on the command line ---------------------------------------------------------------


def test_generate_in_an_empty_folder_says_it_uses_the_packaged_model_and_register(empty):
    result = run("generate", "--council", "Leeds")
    assert result.exit_code == 0, result.output
    assert told(result) == [PACKAGED, PACKAGED_REGISTER]
    assert (empty / "output" / "Yorkshire-and-The-Humber").is_dir()


def test_generate_beside_model_yaml_says_it_uses_it(empty):
    (empty / "model.yaml").write_text(SHIPPED, encoding="utf-8")
    result = run("generate")
    assert result.exit_code == 0, result.output
    assert told(result) == [f"model: ./model.yaml ({OURS.id} {OURS.version})", PACKAGED_REGISTER]


def test_named_inputs_are_not_repeated(empty):
    result = run(
        "generate",
        "--model",
        ROOT / "model.yaml",
        "--register",
        defaults.PACKAGED_REGISTERS["2025"],
        "--out",
        empty / "blank",
    )
    assert result.exit_code == 0, result.output
    assert told(result) == []


def test_validate_and_collate_say_which_model_archive_and_register(empty, filled):
    path = filled("Leeds")
    expected = [PACKAGED, PACKAGED_ARCHIVE, PACKAGED_REGISTER]
    validated = run("validate", path)
    assert validated.exit_code == 0, validated.output
    assert told(validated) == expected
    as_json = run("validate", "--format", "json", path)
    assert as_json.stdout.lstrip().startswith("[")  # what is told goes to stderr only
    collated = run("collate", path, "--jobs", "1")
    assert collated.exit_code == 0, collated.output
    assert told(collated) == expected
    assert (empty / "output" / "nps-summary.xlsx").is_file()


def test_model_check_and_show_of_the_packaged_model(empty):
    checked = run("model", "check")
    assert checked.exit_code == 0, checked.output
    assert told(checked) == [PACKAGED]
    assert checked.stdout.startswith(f"{NEWEST.source}: ok: {NEWEST.id} {NEWEST.version}")
    shown = run("model", "show")
    assert shown.exit_code == 0 and told(shown) == [PACKAGED]


def test_model_check_of_a_broken_model_yaml_in_the_current_folder(empty):
    (empty / "model.yaml").write_text(
        without_lineage(SHIPPED).replace("id: L1\n", "id: 1L\n"), encoding="utf-8"
    )
    result = run("model", "check")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("model.yaml:") and "id '1L' must start with a letter" in line
    assert "model.yaml: 1 problem(s); the model was not accepted" in result.stderr


def test_the_help_says_what_the_defaults_are():
    result = run("validate", "--help")
    text = " ".join(result.stdout.split())
    for default in (
        "./model.yaml if there is one, else the packaged model",
        "./models/ if there is one, else the packaged archive",
        "./councils.csv if there is one, else the packaged register of 2018",
    ):
        assert default in text


def test_the_summary_names_the_packaged_register_by_edition_not_by_its_path(tmp_path, monkeypatch):
    import openpyxl

    from npsxl.model.defaults import PACKAGED_REGISTERS, register_label

    assert register_label(str(PACKAGED_REGISTERS["2025"])) == "the packaged register of 2025"
    assert register_label("clusters/north.csv") == "clusters/north.csv"
    samples = ROOT / "samples" / "returns"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["collate", str(samples), "--out", "summary.xlsx"])
    assert result.exit_code == 1  # the samples include rejected files
    overview = openpyxl.load_workbook(tmp_path / "summary.xlsx")["Overview"]
    values = [c.value for row in overview.iter_rows() for c in row]
    assert "the packaged register of 2018" in values
    assert not any(isinstance(v, str) and "data/registers" in v for v in values)
