"""The home page: each role's landing page, built from the next steps every feature offers."""
