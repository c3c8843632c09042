"""Recording and evidence: capture, the composite recorder, the encrypted archive, discs."""
