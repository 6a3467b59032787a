"""The names of the file formats, written once (the case file's is read by the wizard at start, before the case
module is loaded, so it lives apart from it)."""

CASE_FORMAT = "ohshi-desk-case/1"
CASE_FORMAT_PREFIX = "ohshi-desk-case/"
