"""Projects and labels: one owner's ways of grouping and tagging their tasks."""
