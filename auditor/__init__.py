"""auditor: a source-credibility and citation auditor for fact-checkers.

The library is usable without the CLI::

    from auditor.pipeline import audit_text
    audit = audit_text(open("article.txt").read(), source="article.txt")

Heavy dependencies (trafilatura, spaCy) are imported lazily by the stages that need them.
"""

__version__ = "0.1.0"
REPORT_SCHEMA = "auditor-report/1.0"
