"""The quiz feature: module quizzes, the final exam, refresher assignments, the daily review,
item statistics, and GIFT import/export on the command line.

It plugs into the course through the gates of :mod:`trainer.learn.services`: a module quiz
passed completes its module (``app.extensions["module_gate"]``), the final exam passed allows the
certificate (``app.extensions["final_gate"]``).
"""
