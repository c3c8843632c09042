"""The composite recorder: every party's media in, one crash-safe evidence recording out."""
