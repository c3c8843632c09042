"""``pleadesk demo``: a whole session on one machine, booked, held, closed out."""
