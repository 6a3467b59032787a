"""The yardstick of the start-up benchmarks: a bare three-page QWizard that prints when its first page is shown,
as `ohshi-desk --smoke` does. Run directly, or bundled by bench_bundle.py. Pass --japanese for Japanese titles;
--hold keeps the window open for a few seconds (bench_bundle.py reads its memory map meanwhile)."""

import sys
import time

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWizard, QWizardPage

japanese = "--japanese" in sys.argv
app = QApplication(sys.argv)
w = QWizard()
for i in range(3):
    p = QWizardPage()
    p.setTitle(f"ページ {i}：施設について" if japanese else f"Page {i}")
    QVBoxLayout(p).addWidget(QLabel("日本語の説明文です" if japanese else "text"))
    w.addPage(p)
w.show()
app.processEvents()
print(f"smoke: first page shown at {time.time():.6f} cpu {time.process_time():.6f}", flush=True)
if "--hold" in sys.argv:
    time.sleep(5)
w.close()
