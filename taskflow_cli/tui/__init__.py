"""`taskflow tui`: a Textual dashboard over the same API client as the CLI.

Nothing here is imported by the other commands; `commands/tui.py` imports `tui.app` inside
the command function, so `taskflow --help` never loads Textual.
"""
