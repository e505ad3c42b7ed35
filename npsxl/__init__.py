"""npsxl: the National Procurement Strategy 2018 as a self-assessment workbook, and back.

The public API, imported lazily so that ``import npsxl`` stays quick::

    load_model, load_register, load_archive, build_workbook, generate, read_return,
    read_returns, find_inputs, collate, write_summary_workbook, write_data,
    write_outputs, write_reports

and what the package ships: packaged_model, packaged_archive, packaged_register.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "load_model": "npsxl.model.loading",
    "Model": "npsxl.model.model",
    "load_register": "npsxl.model.register_csv",
    "Register": "npsxl.model.register",
    "Council": "npsxl.model.register",
    "load_archive": "npsxl.model.archive",
    "packaged_model": "npsxl.model.defaults",
    "packaged_archive": "npsxl.model.defaults",
    "packaged_register": "npsxl.model.defaults",
    "build_workbook": "npsxl.workbook.writer",
    "generate": "npsxl.workbook.generation",
    "read_return": "npsxl.reading.reader",
    "Return": "npsxl.reading.returns",
    "read_returns": "npsxl.reading.batch",
    "find_inputs": "npsxl.reading.batch",
    "collate": "npsxl.collation.run",
    "Collation": "npsxl.collation.collation",
    "write_data": "npsxl.report.csv_data",
    "write_summary_workbook": "npsxl.report.summary_workbook",
    "write_outputs": "npsxl.report.outputs",
    "write_reports": "npsxl.report.reports",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'npsxl' has no attribute {name!r}")
