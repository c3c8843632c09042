"""The evidence clerk's desk: sessions to seal, discs to burn and check, the custody log."""
