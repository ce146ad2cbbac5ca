"""Services: plain functions over a Session; authorization lives here."""
