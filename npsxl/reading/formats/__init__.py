"""One module per spreadsheet format: what the reader needs from the raw file that the parser
does not give (sheet order, defined names, properties, formula cells, used ranges)."""
