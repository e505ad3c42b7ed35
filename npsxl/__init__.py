"""npsxl: the National Procurement Strategy 2018 as a self-assessment workbook, and back."""

__version__ = "0.1.0"
