"""What npsxl gives people from a collation: the CSV files, the coordinator's summary
workbook, the text the command line prints about returns, and the HTML and PDF reports
(the briefing and one report per council: :mod:`npsxl.report.reports`).

May import: every layer below (:mod:`npsxl.core`, :mod:`npsxl.model`,
:mod:`npsxl.workbook`, :mod:`npsxl.reading`, :mod:`npsxl.collation`), never the CLI.
"""
