"""Bulk uploads of products, prices and inventory from CSV or XLSX files.

parsing     bytes → a sheet of rows (encodings, dialects, XLSX guards), or a refusal
specs       the columns of each kind of file and how headers are recognised
validation  every row checked with the same rules as the forms, before anything is sent
checking    the Upload record, the check Job, and the commit into a write Job
products    the bulk product-create Job (batches of 100, traces followed)
results     the user's own file back with status and message columns
templates_files  downloadable templates (CSV and XLSX) with one example row
undo        "Revert this job" for price and inventory jobs
"""
