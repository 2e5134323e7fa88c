"""The self-assessment form is one group of 1-5 radio buttons per statement, built from the
competency framework; the ratings are parsed and checked in :mod:`trainer.scorecard.services` so
the page form and the autosave share one rule. Here: what each point of the scale means."""

from flask_babel import lazy_gettext as _l

SCALE = (1, 2, 3, 4, 5)

SCALE_LABELS = {
    1: _l("Rarely or never"),
    2: _l("Sometimes"),
    3: _l("Usually"),
    4: _l("Almost always"),
    5: _l("Always, and I can coach others"),
}
