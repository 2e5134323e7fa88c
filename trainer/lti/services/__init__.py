"""The LTI use cases: platforms, keys, launches, deep linking, grades and rosters."""
