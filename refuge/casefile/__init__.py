"""The case-file format (`refuge.case/1`): vocabulary, schema and validation. Pure Python."""
