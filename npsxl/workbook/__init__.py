"""The self-assessment workbook a council fills in: the layout contract the reader shares
(:mod:`npsxl.workbook.layout`), text fitting and the brand's formats (which the summary
workbook is built with too), the plan of a model's workbook, the writer (a module per
sheet), fast batch generation with its manifest, pre-filled workbooks, and synthetic
returns for demos.

May import: :mod:`npsxl.core` and :mod:`npsxl.model`. The reader imports only
:mod:`npsxl.workbook.layout` from here, never the writer.
"""
