"""The papers room: the printed estimate and 申請の準備 (cover sheet, forms, files)."""
