"""Tables of the center's programmes."""
