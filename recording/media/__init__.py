"""Capture: cameras, microphones, synthetic tracks, capture stamps, the clapper, I420, VP8."""
