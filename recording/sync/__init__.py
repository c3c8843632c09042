"""Measuring sync in a recording with the clapper: finding flashes and tones, simulated parties."""
