"""PAdES signing of the documents, their certificates and timestamps, and checking signatures."""
