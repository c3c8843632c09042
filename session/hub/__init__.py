"""The hub: its server, live sessions, store, audit trail, join tokens, the feed to the recorder."""
