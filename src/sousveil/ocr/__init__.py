"""Optical character recognition of scanned pages (PP-OCR through RapidOCR; choice measured in docs/ocr.md).

read.py renders or decodes a page and recognises it (cached by the page image's hash), layout.py puts
the recognised lines in reading order and rebuilds table rows and cells, evidence.py places each line
in the stored (redacted) text so a fact's span maps back to its page and box.
"""
