"""What a conformance run leaves behind: the reports (report.html, summary.json, junit.xml in
report.py), the facts about the run (run_info.py), the evidence bundle and its offline check
(bundle.py), the PDF (report_pdf.py); the PGN scan and masking of the messages is oso_protocol/pgn_scan.py.
"""
