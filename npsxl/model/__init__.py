"""The strategy and the councils: the model file (YAML with line numbers, the typed model,
its checks and fingerprint), the lineage between model versions and the archive of
published versions, the council register, assessment rounds, and what a council answers.

May import: :mod:`npsxl.core`. Nothing here knows about workbooks, reading or collating.
"""
