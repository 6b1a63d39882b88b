"""Printable documents (PDF) built from meeting data: tickets, sign-in sheets, notices, summaries."""
