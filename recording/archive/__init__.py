"""The evidence archive: encrypt, bag, seal, plan discs, burn, read back, open; a custody log."""
