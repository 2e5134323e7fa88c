"""The learn feature: course and lesson pages, progress along the onboarding path, certificates and
their public verification."""
