"""Walking a JSON tree (a case file) for the hostile-input tests: every path to every node."""

from __future__ import annotations


def paths_in(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from paths_in(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from paths_in(v, (*prefix, i))
