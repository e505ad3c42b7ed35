"""The strategy's words in the workbook, faithfully: the purpose, reconstructed words in
[square brackets] where councils read them (with one line saying what the brackets mean),
what the strategy says of the enablers, and a small print people can read."""

from __future__ import annotations

import openpyxl
import pytest

from npsxl.model.reconstructed import EXPLANATION
from npsxl.workbook import layout as L
from npsxl.workbook.writer import build_workbook


@pytest.fixture(scope="module")
def leeds(model, register, tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "leeds.xlsx"
    build_workbook(model, path, register.match("Leeds"))
    return path


@pytest.fixture(scope="module")
def book(leeds):
    return openpyxl.load_workbook(leeds)


def texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def row_of(ws, ref: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == ref)


def test_start_here_says_the_toolkit_is_for_guidance_only(book):
    sentence = (
        "The toolkit is for guidance only as a 'one-size-fits-all' approach is not supported "
        "by the sector or advocated in this strategy."
    )
    assert any(sentence in text for text in texts(book[L.START]))


def test_guidance_marks_reconstructed_words_and_says_what_the_brackets_mean(book, model):
    ws = book[L.GUIDANCE]
    shown = texts(ws)
    assert shown.count(EXPLANATION) == 1 and ws["A3"].value == EXPLANATION
    assert "[Engaging senior managers refers] to the [corporate management team]" in " ".join(shown)
    assert "Note on the text" not in shown  # the extraction notes are for model.yaml's readers
    assert not any(item.text_note in shown for item in model.items if item.text_note)
    b1 = model.item("B1").why_it_is_important
    assert b1.endswith("by way of direct [benefits].") and b1 in shown


def test_self_assessment_marks_reconstructed_words_and_says_what_they_mean(book, model):
    ws = book[L.ASSESSMENT]
    shown = texts(ws)
    assert shown.count(EXPLANATION) == 1
    legend_row = [ws.cell(L.ASSESSMENT_HELP_ROW + 2, c).value for c in range(1, ws.max_column)]
    assert EXPLANATION in legend_row  # beside the colours' legend, above the header
    l4 = row_of(ws, "L4")
    leader = L.column_index(model.level_names, "level_4") + 1
    assert ws.cell(l4, leader).value.endswith("at combined authority/group of [councils level].")
    l3 = row_of(ws, "L3")
    covers = L.column_index(model.level_names, "description") + 1
    assert ws.cell(l3, covers).value.startswith("[Working with partners] refers to [the]")


def test_a_model_without_reconstructed_words_has_no_line_on_brackets(model, tmp_path):
    from dataclasses import replace

    from npsxl.model.fingerprint import with_fingerprint
    from npsxl.model.reconstructed import unmarked

    def plain(item):
        return replace(
            item,
            description=unmarked(item.description),
            why_it_is_important=unmarked(item.why_it_is_important),
            descriptors=tuple(unmarked(d) for d in item.descriptors),
        )

    groups = [replace(g, items=tuple(plain(i) for i in g.items)) for g in model.groups]
    unbracketed = with_fingerprint(replace(model, themes=tuple(groups[:-1]), enablers=groups[-1]))
    path = tmp_path / "plain.xlsx"
    build_workbook(unbracketed, path)
    wb = openpyxl.load_workbook(path)
    for sheet in (L.GUIDANCE, L.ASSESSMENT):
        assert EXPLANATION not in texts(wb[sheet]), sheet


def test_the_enablers_cover_what_the_strategy_says_of_enablers(book, model):
    ws = book[L.ASSESSMENT]
    covers = L.column_index(model.level_names, "description") + 1
    said = model.enablers.description
    assert said.startswith("Councils have identified a number of cross-cutting issues")
    for item in model.enablers.items:
        assert ws.cell(row_of(ws, item.id), covers).value == said, item.id
    assert not any("read its levels" in text for text in texts(ws))


def test_small_print_has_a_short_fingerprint_and_the_metadata_the_full_one(book, model):
    small = next(t for t in texts(book[L.START]) if t.startswith("Model "))
    assert f"fingerprint {model.fingerprint[:12]} " in small
    assert model.fingerprint not in small
    meta = book[L.METADATA]
    assert model.fingerprint in texts(meta)


def test_the_reader_tells_the_model_from_the_short_fingerprint_and_refuses_another(
    leeds, model, register, tmp_path
):
    from npsxl.reading.reader import read_return

    def without_metadata(wb, fingerprint=None):
        wb.defined_names.clear()  # what a round trip through Google Sheets can lose
        wb.custom_doc_props.props.clear()
        del wb[L.METADATA]
        if fingerprint:
            ws = wb[L.START]
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("Model "):
                        cell.value = cell.value.replace(model.fingerprint[:12], fingerprint)
        path = tmp_path / f"{fingerprint or 'same'}.xlsx"
        wb.save(path)
        return path

    same = read_return(without_metadata(openpyxl.load_workbook(leeds)), model, register)
    assert same.model_version == model.version and same.model_fingerprint == model.fingerprint
    assert "fingerprint-mismatch" not in [p.code for p in same.problems]
    other = read_return(
        without_metadata(openpyxl.load_workbook(leeds), "0123456789ab"), model, register
    )
    assert not other.accepted
    assert "fingerprint-mismatch" in [p.code for p in other.problems]
