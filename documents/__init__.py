"""Legal documents: the plea agreement, its PDF, handwritten signatures and PAdES signing."""
