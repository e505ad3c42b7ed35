"""The ground every layer stands on: located problems and their catalogue, the exceptions
npsxl raises, writing output files atomically, the process pool that no task can stop, and stopping
cleanly on SIGTERM.

May import: nothing else of npsxl (only the standard library). Every other layer may
import it.
"""
