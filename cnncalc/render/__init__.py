"""Presentation: every way cnncalc shows a result. Renderers take the numbers they show and
compute none.

table       the summary table's columns and cells, drawn by rich; the `--explain` text table
terminal    the same table as rich would print it, without importing rich (the fast path)
formats     the summary as CSV and Markdown; the course's three-column table
json_doc    the summary as JSON, streamed for large networks
verification  verify's inferred-vs-executed table and JSON
solutions   the solvers' and calculators' answers as text and JSON
check       a graded answer table as text and JSON
report      the self-contained HTML report
charts      the report's SVG bar charts; plot draws the same panels with matplotlib
diagram     the network diagram as SVG
"""
