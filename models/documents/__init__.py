"""Documents a planner handles: workbooks, the CSV schedule and the assignment notice.

One description of the content (:mod:`models.documents.content`) feeds every format: the
schedule workbook and CSV (:mod:`schedule_book`), the notice as DOCX (:mod:`notice_docx`)
and PDF (:mod:`notice_pdf`). :mod:`sheets` holds what every workbook shares (cells that
can never become formulas, widths, print set-up), :mod:`collation` the Vietnamese order,
:mod:`template` the blank instance workbook. Nothing here knows HTTP or the database.
"""
