"""SCORM export: a course as a SCORM 1.2 or 2004 package a corporate LMS imports.

``flask course export-scorm`` (``cli``) loads the course through the course loader with package
URLs (``package.course_for_package``), turns each lesson and module quiz into a static page
(``templates/``, ``static/``, the quiz's data from ``quizdata``), writes the manifest
(``manifest``) and ships the SCORM XSDs (``schemas/``). Everything but ``cli`` is pure: no Flask.
Administrators' guide: ``docs/lms.md``.
"""
