"""Reading returned workbooks: the preflight that looks at a file before any parser does,
opening a book in any format, finding the table and reading the answers into a
:class:`~npsxl.reading.returns.Return`, and reading many files in worker processes that no
single file can stop.

May import: :mod:`npsxl.core`, :mod:`npsxl.model` and :mod:`npsxl.workbook.layout` (the
layout contract), never the workbook writer.
"""
