"""Printable output: the two cards (两卡), the patrol form, the county map and the township atlas.

Qt-free (reportlab, vector PDF with an embedded TrueType CJK font), so the window and the CLI share one
renderer. Rendering works on a ReportData snapshot taken from the store, which lets the window render in
a worker thread without touching the SQLite connection (it belongs to the UI thread)."""
