"""The session engine: hub, signaling, the session state machine, stations and their peers."""
