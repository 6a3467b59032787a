"""The compute room: the engine, its breakdown, the maximum, changes between results, presenting."""
