"""SCORM export: a course as a SCORM 1.2 or 2004 package a corporate LMS imports."""
