"""The workbook room: its layout, writing (XlsxWriter), 様式2, reading back (openpyxl), changes."""
