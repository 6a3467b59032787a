"""The base room: files written atomically, input guards, paths, typed inputs, formatting, the clock."""
