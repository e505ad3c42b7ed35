"""What npsxl gives people from a collation: the CSV files, the coordinator's summary
workbook, and the text the command line prints about returns.

May import: every layer below (:mod:`npsxl.core`, :mod:`npsxl.model`,
:mod:`npsxl.workbook`, :mod:`npsxl.reading`, :mod:`npsxl.collation`), never the CLI.
"""
