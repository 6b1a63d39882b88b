"""The ReportLab toolkit (fonts, page layout, escaped text, tables, QR codes) and one builder per document."""
