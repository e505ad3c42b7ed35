"""The self-assessment workbook a council fills in: the layout contract the reader shares
(:mod:`npsxl.workbook.layout`), text fitting, the plan and formats of a model's workbook,
the writer, fast batch generation with its manifest, pre-filled workbooks, and synthetic
returns for demos.

May import: :mod:`npsxl.core` and :mod:`npsxl.model`. The reader imports only
:mod:`npsxl.workbook.layout` from here, never the writer.
"""
