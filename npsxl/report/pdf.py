"""PDFs from the reports' HTML, printed by headless Chromium: :class:`PrintPool`.

One Chromium per job, started once and driven through selenium and chromedriver, prints
every page: the HTML file's text is loaded into the open tab (DevTools
``Page.setDocumentContent``) and printed with ``Page.printToPDF`` on A4 as the page's CSS
sets it, with a footer of the page's title and page numbers, tagged (for screen readers)
and with an outline from the headings. Loading a page this way takes milliseconds where a
navigation takes a tenth of a second, and one browser for all pages saves starting one per
page (about two seconds each). A tab keeps what every page loaded into it held (about 10 MB
a council's page, so 1.3 GB after 120), so after :data:`PAGES_PER_TAB` pages the printer
moves to a fresh tab and closes the old one: its memory stays flat however many it prints.
The pages are printed as they are handed in, while the rest are still being written.
Closing a printer, after an error, Ctrl-C or SIGTERM too, ends every process of its
browser (:func:`end_browser_processes`): none is left running.

The browser runs without JavaScript and resolves no host name, so a page can neither run
nor fetch anything while it is printed. Chromium and chromedriver are found on the PATH
(``chromium``, ``chromium-browser``, ``google-chrome``; ``chromedriver``) or through
``NPSXL_CHROMIUM`` and ``NPSXL_CHROMEDRIVER``; :func:`find_engine` says what is missing.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import os
import queue
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from npsxl.core.atomic import atomic_path
from npsxl.core.errors import NpsxlError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVER_NAMES = ("chromedriver",)
INSTALL_HINT = (
    "on Debian or Ubuntu: apt-get install chromium chromium-driver; and "
    "pip install 'npsxl[report]' for selenium"
)
FOOTER = (
    "<div style=\"font-family: Arial, 'Liberation Sans', sans-serif; font-size: 8pt; "
    "color: #595959; width: 100%; margin: 0 15mm; display: flex; justify-content: "
    'space-between;"><span class="title"></span><span>Page <span class="pageNumber"></span> '
    'of <span class="totalPages"></span></span></div>'
)
PRINT_OPTIONS = {
    "preferCSSPageSize": True,  # A4 and the margins from the page's @page rule
    "printBackground": True,
    "displayHeaderFooter": True,
    "headerTemplate": "<span></span>",
    "footerTemplate": FOOTER,
    "generateTaggedPDF": True,
    "generateDocumentOutline": True,
}
PAGES_PER_TAB = 20
BROWSER_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--blink-settings=scriptEnabled=false",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


class PdfEngineMissing(NpsxlError):
    """Headless Chromium, chromedriver or selenium is not installed: no PDFs."""


class PdfError(NpsxlError):
    """The browser failed while printing."""


@dataclass(frozen=True)
class Engine:
    """Where the browser and its driver are."""

    chromium: str
    chromedriver: str


def _find(variable: str, names: Sequence[str]) -> str | None:
    given = os.environ.get(variable)
    if given:
        return given if os.access(given, os.X_OK) and Path(given).is_file() else None
    return next((found for name in names if (found := shutil.which(name))), None)


def find_engine() -> Engine:
    """The browser and driver to print with, or :class:`PdfEngineMissing` saying what is
    missing and how to install it."""
    missing = []
    if importlib.util.find_spec("selenium") is None:
        missing.append("the Python package selenium")
    chromium = _find("NPSXL_CHROMIUM", CHROMIUM_NAMES)
    driver = _find("NPSXL_CHROMEDRIVER", DRIVER_NAMES)
    if chromium is None:
        missing.append("Chromium (" + " or ".join(CHROMIUM_NAMES[:2]) + ", or NPSXL_CHROMIUM)")
    if driver is None:
        missing.append("chromedriver (or NPSXL_CHROMEDRIVER)")
    if missing or chromium is None or driver is None:  # each is named in ``missing``
        raise PdfEngineMissing(
            "the PDFs need headless Chromium; not found: "
            + "; ".join(missing)
            + ". Install "
            + INSTALL_HINT
            + ", or use --no-pdf for the HTML alone"
        )
    return Engine(chromium, driver)


class Printer:
    """One headless Chromium with one tab, printing HTML files to PDF one after another."""

    def __init__(self, engine: Engine):
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="npsxl-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = engine.chromium
        for flag in BROWSER_FLAGS:
            options.add_argument(flag)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            options.add_argument("--no-sandbox")  # Chromium refuses to run as root without
        options.add_argument(f"--user-data-dir={self.profile}")
        try:
            self.driver = webdriver.Chrome(service=Service(engine.chromedriver), options=options)
        except WebDriverException as exc:
            end_browser_processes(self.profile)
            shutil.rmtree(self.profile, ignore_errors=True)
            reason = (exc.msg or str(exc)).strip().splitlines() or ["no reason given"]
            raise PdfEngineMissing(
                f"headless Chromium ({engine.chromium}) did not start: {reason[0]}"
            ) from None
        self.printed_in_tab = 0
        self.frame = self._frame()

    def _frame(self) -> str:
        tree = self.driver.execute_cdp_cmd("Page.getFrameTree", {})
        return tree["frameTree"]["frame"]["id"]

    def _fresh_tab(self) -> None:
        """Move to a new tab and close the old one, with all it held."""
        old = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        new = self.driver.current_window_handle
        self.driver.switch_to.window(old)
        self.driver.close()
        self.driver.switch_to.window(new)
        self.frame = self._frame()
        self.printed_in_tab = 0

    def print(self, html: Path, pdf: Path) -> Path:
        """Print the page ``html`` to ``pdf`` (written atomically)."""
        from selenium.common.exceptions import WebDriverException

        text = Path(html).read_text(encoding="utf-8")
        try:
            if self.printed_in_tab >= PAGES_PER_TAB:
                self._fresh_tab()
            self.printed_in_tab += 1
            self.driver.execute_cdp_cmd(
                "Page.setDocumentContent", {"frameId": self.frame, "html": text}
            )
            printed = self.driver.execute_cdp_cmd("Page.printToPDF", PRINT_OPTIONS)
        except WebDriverException as exc:
            raise PdfError(f"Chromium could not print {html}: {exc.msg or exc}") from None
        with atomic_path(pdf) as tmp:
            tmp.write_bytes(base64.b64decode(printed["data"]))
        return Path(pdf)

    def close(self) -> None:
        """Quit the browser and its driver; then end any of the browser's processes still
        running (found by their profile folder, which is this printer's own), so that none
        is left behind, whatever stopped the printing."""
        with contextlib.suppress(Exception):
            self.driver.quit()
        with contextlib.suppress(Exception):
            self.driver.service.process.kill()
        end_browser_processes(self.profile)
        shutil.rmtree(self.profile, ignore_errors=True)


def end_browser_processes(profile: str) -> list[int]:
    """Kill every process whose command line names ``profile`` (a browser's user data
    folder, made for one browser): the browser and all its helpers. Linux only (it reads
    /proc); elsewhere the driver's quit is relied on. Returns the process ids killed."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    killed, marker = [], os.fsencode(profile)
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
        except OSError:  # gone already, or not ours
            continue
    return killed


class PrintPool:
    """``workers`` browsers, started in the background as soon as the pool is made, so that
    they start while the pages are written, each printing in a thread of its own.

    Pages are printed as they are handed in (:meth:`submit`), while the rest are still
    being written; :meth:`finish` waits for the last. :meth:`print_all` does both for a
    list. Use as a context manager, or call :meth:`close`: it stops the browsers."""

    def __init__(self, engine: Engine, workers: int = 1):
        self.threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="npsxl-pdf")
        self.starting: list[Future] = [
            self.threads.submit(Printer, engine) for _ in range(max(1, workers))
        ]
        self.todo: queue.Queue = queue.Queue()
        self.failures: list[BaseException] = []
        self.start_errors: list[BaseException] = []
        self.runs: list[threading.Thread] = []
        self.lock = threading.Lock()

    def __enter__(self) -> PrintPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, progress: Callable[[Path], None] | None = None) -> None:
        """Start printing what is submitted: a thread per browser, each taking the next
        page once its browser has started. ``progress(pdf)`` is called (under a lock) for
        each PDF written."""
        self.runs = [
            threading.Thread(target=self._work, args=(f, progress), daemon=True)
            for f in self.starting
        ]
        for run in self.runs:
            run.start()

    def _work(self, starting: Future, progress) -> None:
        try:
            printer = starting.result()
        except BaseException as exc:  # noqa: BLE001 - reported by finish() if no browser starts
            self.start_errors.append(exc)
            return
        while True:
            pair = self.todo.get()
            if pair is None or self.failures:
                return
            html, pdf = pair
            try:
                printer.print(html, pdf)
            except BaseException as exc:  # noqa: BLE001 - raised by finish()
                self.failures.append(exc)
                return
            if progress is not None:
                with self.lock:
                    progress(pdf)

    def submit(self, html: Path, pdf: Path) -> None:
        """Print ``html`` to ``pdf`` when a browser is free."""
        self.todo.put((Path(html), Path(pdf)))

    def finish(self) -> None:
        """Wait until every page submitted is printed; raise the first failure (or, when no
        browser started, why)."""
        for _ in self.runs:
            self.todo.put(None)
        for run in self.runs:
            run.join()
        if self.failures:
            raise self.failures[0]
        if len(self.start_errors) == len(self.runs) and self.start_errors:
            raise self.start_errors[0]

    def print_all(
        self, pages: Sequence[tuple[Path, Path]], progress: Callable[[Path], None] | None = None
    ) -> list[Path]:
        """Print every (html, pdf) pair, spread over the browsers; the PDFs in that order."""
        self.start(progress)
        for html, pdf in pages:
            self.submit(html, pdf)
        self.finish()
        return [pdf for _html, pdf in pages]

    def close(self) -> None:
        """Stop every browser, started or starting, and the threads."""
        self.failures.append(PdfError("the printing was stopped"))  # idle threads stop
        for _ in self.runs:
            self.todo.put(None)
        for future in self.starting:
            with contextlib.suppress(BaseException):
                future.result().close()
        self.threads.shutdown(wait=True)
