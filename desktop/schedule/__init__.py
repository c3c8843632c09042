"""The detention-centre staff's day view: rooms, bookings, 提押 and 还押."""
