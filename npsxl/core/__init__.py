"""The ground every layer stands on: located problems and their catalogue, the exceptions
npsxl raises, and writing output files atomically.

May import: nothing else of npsxl (only the standard library). Every other layer may
import it.
"""
