"""report.html as a PDF for attaching to a certification request (WeasyPrint, optional).

The report's print stylesheet folds the SOAP messages' XML, the technical traces and the full
configuration away: the PDF carries the verdict, the header and every scenario with its steps;
the raw evidence travels in the bundle (harness.evidence.bundle).
"""
from __future__ import annotations

from pathlib import Path


class PdfUnavailable(Exception):
    """WeasyPrint (or the system libraries it draws with) is not available here."""


def write_pdf(html_file: Path, pdf_file: Path) -> Path:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"WeasyPrint is niet te laden ({exc}); installeer het met"
                             " pip install weasyprint") from None
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    # base_url: the report is self-contained, nothing is fetched
    HTML(filename=str(html_file), base_url=str(html_file.parent)).write_pdf(str(pdf_file))
    return pdf_file
