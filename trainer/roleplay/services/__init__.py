"""Role-play use cases: solo practice (:mod:`.practice`), pair workshops (:mod:`.workshop`), the
scenario graph for admins (:mod:`.graph`), home-page next steps and demo data (:mod:`.extras`), and
what other features read about plays and rubrics (:mod:`.reports`)."""
