"""Accounts, sites and sign-in: who may use the hub, and as what."""
