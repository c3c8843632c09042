"""The documents as A4 PDFs in Chinese (or English), the disc label, and page images for screens."""
