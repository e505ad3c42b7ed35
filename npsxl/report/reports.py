"""The briefing and one report per council, in HTML and PDF, from a collation:
:func:`write_reports`.

``DIR/index.html`` and ``DIR/briefing.pdf`` are the briefing for councillors and
coordinators; ``DIR/councils/<code>-<name>.html`` and ``.pdf`` the report of each council
with a counted return in the latest round; ``DIR/councils.csv`` lists those, to send each
council its own. ``DIR/councils/`` belongs to the reports: a report left there by an earlier
run, of a council not counted now, is removed, so that it cannot be sent by mistake.

The council pages are written in ``jobs`` processes (their charts are most of the work) and
printed by ``jobs`` browsers (:mod:`npsxl.report.pdf`), which start while the pages are
written and print each page as soon as it is written.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from npsxl.core.atomic import write_text_atomic
from npsxl.core.errors import NpsxlError, OutputError
from npsxl.report.csv_data import csv_row

BRIEFING_HTML = "index.html"
BRIEFING_PDF = "briefing.pdf"
COUNCILS_DIR = "councils"
COUNCILS_CSV = "councils.csv"
COUNCILS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "round",
    "html",
    "pdf",
    "return_file",
)
# with include_contacts (and only then): who filled in the counted return, to send it to
CONTACT_COLUMNS = ("respondent_name", "respondent_email")
REPORT_PACKAGES = {"jinja2": "Jinja2", "matplotlib": "matplotlib"}


class ReportExtraMissing(NpsxlError):
    """A Python package of the ``report`` extra is not installed."""


def check_report_extra() -> None:
    """Raise :class:`ReportExtraMissing`, naming what to install, unless the packages that
    write the reports' HTML are there (selenium, for the PDFs, is checked when printing)."""
    missing = [name for module, name in REPORT_PACKAGES.items() if not _importable(module)]
    if missing:
        raise ReportExtraMissing(
            f"the reports need {' and '.join(missing)}: pip install 'npsxl[report]'"
        )


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@dataclass
class CouncilFiles:
    code: str
    name: str
    region: str
    council_type: str
    round: str
    html: Path
    pdf: Path | None = None
    return_file: str = ""  # the file (or the views' files) the council's figures come from
    respondent_name: str = ""  # only with include_contacts
    respondent_email: str = ""


@dataclass
class ReportFiles:
    """What :func:`write_reports` wrote."""

    out_dir: Path
    briefing_html: Path
    councils_csv: Path
    councils: list[CouncilFiles] = field(default_factory=list)
    briefing_pdf: Path | None = None
    removed: list[Path] = field(default_factory=list)  # stale reports of an earlier run

    @property
    def pdfs(self) -> list[Path]:
        found = [self.briefing_pdf] + [c.pdf for c in self.councils]
        return [p for p in found if p is not None]


class PdfNotWritten(NpsxlError):
    """The HTML was written, the PDFs were not: ``files`` says what was; the message why."""

    def __init__(self, message: str, files: ReportFiles):
        self.files = files
        super().__init__(message)


# --- writing the council pages in several processes ------------------------------------------
_WORKER: dict = {}


def _make_pages(data, palette: list[str]):
    from npsxl.report.charts import Charts
    from npsxl.report.pages import Pages

    return Pages(data, Charts(data.levels, palette, data.font))


def _start_worker(data, palette: list[str]) -> None:
    _WORKER["pages"] = _make_pages(data, palette)


def _write_councils(chunk: list[tuple[int, str]]) -> list[int]:
    pages = _WORKER["pages"]
    for index, path in chunk:
        write_text_atomic(path, pages.council(pages.data.councils[index]))
    return [index for index, _ in chunk]


def _write_council_pages(
    pages, palette, paths: list[Path], jobs: int, progress, started, written
) -> None:
    """Write every council's page: here with one job, else in ``jobs`` processes; call
    ``started()`` once the processes are running (so no thread is forked with them), and
    ``written(index)`` as each page is written."""
    tasks = [(i, str(p)) for i, p in enumerate(paths)]
    if jobs <= 1 or len(tasks) < 8:
        started()
        _WORKER["pages"] = pages
        for task in tasks:
            written(*_write_councils([task]))
            progress()
        return
    size = max(1, min(8, len(tasks) // (jobs * 4)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        initializer=_start_worker,
        initargs=(pages.data, palette),
    )
    try:
        pending = {pool.submit(_write_councils, chunk) for chunk in chunks}
        started()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                error = future.exception()
                if error is not None:
                    raise error
                for index in future.result():
                    written(index)
                    progress()
    finally:  # on an error, Ctrl-C or SIGTERM too: the pages not started are not written
        pool.shutdown(wait=True, cancel_futures=True)


def _remove_stale(folder: Path, keep: set[Path]) -> list[Path]:
    removed = []
    for path in sorted(folder.glob("*")):
        if path.suffix in (".html", ".pdf") and path.is_file() and path not in keep:
            try:
                path.unlink()
            except OSError as exc:
                raise OutputError(f"cannot remove the old report {path}: {exc.strerror}") from None
            removed.append(path)
    return removed


def _senders(collation, include_contacts: bool) -> dict[str, tuple[str, str, str]]:
    """Council code -> (the files its latest figures come from, and with
    ``include_contacts`` the names and emails of their respondents), '; ' between several."""
    from npsxl.collation.counting import code_of, round_of

    counting, latest, found = collation.counting, collation.latest_round, {}
    for figure, sources in zip(counting.figures, counting.sources, strict=True):
        if round_of(figure) != latest:
            continue
        files = [collation.returns[i] for i in sources]
        people = [r.respondent for r in files if r.respondent is not None]

        def joined(values) -> str:
            return "; ".join(dict.fromkeys(v for v in values if v))

        names = joined(p.name for p in people) if include_contacts else ""
        emails = joined(p.email for p in people) if include_contacts else ""
        found[code_of(figure)] = (joined(str(r.path) for r in files), names, emails)
    return found


def _councils_csv(path: Path, councils: list[CouncilFiles], out_dir: Path, contacts: bool) -> Path:
    """The list of council reports, its text made safe as every CSV npsxl writes
    (:func:`npsxl.report.csv_data.csv_row`)."""
    lines = [csv_row(COUNCILS_COLUMNS + (CONTACT_COLUMNS if contacts else ()))]
    for c in councils:
        pdf = c.pdf.relative_to(out_dir).as_posix() if c.pdf else ""
        row = [
            c.code,
            c.name,
            c.region,
            c.council_type,
            c.round,
            c.html.relative_to(out_dir).as_posix(),
            pdf,
            c.return_file,
        ]
        if contacts:
            row += [c.respondent_name, c.respondent_email]
        lines.append(csv_row(row))
    return write_text_atomic(path, "".join(line + "\n" for line in lines))


def write_reports(
    collation,
    out_dir: str | Path,
    *,
    jobs: int = 1,
    pdf: bool = True,
    include_contacts: bool = False,
    progress: Callable[[], None] | None = None,
) -> ReportFiles:
    """Write the briefing and every council's report to ``out_dir``, as HTML and (with
    ``pdf``) as PDF; ``progress()`` is called for each page written and each PDF printed.

    ``councils.csv`` names, for each council, the file its figures come from; with
    ``include_contacts`` also the name and email of who filled it in (to send the report
    to), which are otherwise left out.

    When the PDF engine is missing or fails, the HTML is written all the same and
    :class:`PdfNotWritten` is raised with the files written (``.files``).
    """
    check_report_extra()
    from npsxl.report.pdf import PdfEngineMissing, PdfError, PrintPool, find_engine
    from npsxl.report.report_data import report_data
    from npsxl.report.summary_formats import level_palette

    tick = progress or (lambda: None)
    out_dir = Path(out_dir)
    data = report_data(collation)
    palette = level_palette(collation.model)
    pages = _make_pages(data, palette)
    councils_dir = out_dir / COUNCILS_DIR
    files = ReportFiles(out_dir, out_dir / BRIEFING_HTML, out_dir / COUNCILS_CSV)
    files.councils = [
        CouncilFiles(
            c.code, c.name, c.region, c.council_type, c.round, councils_dir / f"{c.file_stem}.html"
        )
        for c in data.councils
    ]
    engine = None
    problem: PdfEngineMissing | PdfError | None = None
    if pdf:
        try:
            engine = find_engine()
        except PdfEngineMissing as exc:
            problem = exc
    pool: list = []
    lock = threading.Lock()  # pages are counted here, PDFs in the printing threads

    def count(*_printed) -> None:
        with lock:
            tick()

    def start_browsers() -> None:
        if engine is not None:
            workers = max(1, min(jobs, len(data.councils) + 1))
            pool.append(PrintPool(engine, workers=workers))
            pool[0].start(count)
            pool[0].submit(files.briefing_html, out_dir / BRIEFING_PDF)

    def print_council(index: int) -> None:
        if pool:
            html = files.councils[index].html
            pool[0].submit(html, html.with_suffix(".pdf"))

    try:
        write_text_atomic(files.briefing_html, pages.briefing())
        count()
        councils_dir.mkdir(parents=True, exist_ok=True)
        _write_council_pages(
            pages,
            palette,
            [c.html for c in files.councils],
            jobs,
            count,
            start_browsers,
            print_council,
        )
        if pool:
            try:
                pool[0].finish()
            except (PdfEngineMissing, PdfError) as exc:
                problem = exc
            else:
                files.briefing_pdf = out_dir / BRIEFING_PDF
                for council in files.councils:
                    council.pdf = council.html.with_suffix(".pdf")
    finally:
        for started in pool:
            started.close()
    keep = {c.html for c in files.councils} | {c.pdf for c in files.councils if c.pdf}
    files.removed = _remove_stale(councils_dir, keep)
    old_briefing = out_dir / BRIEFING_PDF
    if files.briefing_pdf is None and old_briefing.is_file():
        old_briefing.unlink()
        files.removed.append(old_briefing)
    senders = _senders(collation, include_contacts)
    for council in files.councils:
        sent = senders.get(council.code)
        if sent is not None:
            council.return_file, council.respondent_name, council.respondent_email = sent
    _councils_csv(files.councils_csv, files.councils, out_dir, include_contacts)
    if problem is not None:
        raise PdfNotWritten(str(problem), files)
    return files
