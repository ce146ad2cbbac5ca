"""The screens and modals of `taskflow tui`."""
