"""Rooms and schedules for detention-centre staff: the model, the rules, the planner, reports."""
