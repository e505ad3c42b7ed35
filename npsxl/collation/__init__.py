"""Collating returns: which returns count, the tidy frames, the
:class:`~npsxl.collation.collation.Collation` with its summaries and trends, collating files
end to end (:func:`npsxl.collation.run.collate`), and choosing each council's previous
return to pre-fill its next workbook.

May import: :mod:`npsxl.core`, :mod:`npsxl.model`, :mod:`npsxl.workbook` (the
:class:`~npsxl.workbook.previous.Previous` a pre-filled workbook shows) and
:mod:`npsxl.reading`. Importing this package loads no pandas: the modules that need it load
while the files are read.
"""
