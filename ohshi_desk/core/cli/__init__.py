"""The command line: ``ohshi-desk compute | export | import | prepare`` (CASE_FORMAT.md)."""
