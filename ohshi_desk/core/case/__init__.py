"""The case room: the fields a user answers (declared once) and the case model, its parsing and saving."""
