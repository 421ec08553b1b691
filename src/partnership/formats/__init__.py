"""Date and time formats per language (settings.FORMAT_MODULE_PATH), one style per language everywhere.

Django's own defaults mix styles ("Dec. 6, 2026, 9:01 p.m." in English beside the "2026-12-06" templates
wrote by hand): these replace them, so a template shows a date with `{{ value }}` or
`{{ value|date:"DATE_FORMAT" }}` and never spells a format out. Times are in the reader's zone (the
footer names it), on the 24-hour clock in both languages.
"""
