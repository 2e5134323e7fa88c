"""Question banks and quiz definitions as plain-text content: loading, checking, GIFT interchange.

Pure Python (no Flask, no database). Modules:
    model          the frozen questions, banks and quiz definitions
    placeholders   ``{name}`` placeholders and how numbers are shown
    formula        the small formula language of numeric answers
    checker        the shared context of one file's checks
    check_parts    options, ordering items and matching pairs
    check_numeric  params, formulas, tolerances and alternatives of numeric/calculated questions
    questions      one raw question -> :class:`~trainer.quiz.bank.model.Question`
    loader         reading bank files, writing one
    definitions    ``quizzes.yaml``
    gift_read      GIFT import (Moodle)
    gift_write     GIFT export
"""
