"""The rules room: finding, reading, checking and building the rules, packs, their changes, the methods."""
