from npsxl.cli import cli

cli(prog_name="npsxl")
