"""LTI 1.3 Advantage tool: a learning platform (Moodle, Canvas, ...) launches our lessons, quizzes,
scenarios and policy-lab presets, its course designers pick them by deep linking, quiz scores and
scenario results go back to its gradebook (Assignment and Grade Services) and its course rosters
become teams here (Names and Role Provisioning). See docs/lti.md."""
