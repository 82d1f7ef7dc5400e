"""Débitos → extrato → impressão, in a real terminal against a real server (issue 3)."""
import json
import re
import subprocess
import tempfile
from pathlib import Path

from test_journeys import kiosk_login


def decode_pdf(pdf: Path):
    """Every symbol a real barcode reader finds in the rendered PDF: [(type, data)]."""
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    pngs = sorted(pdf.parent.glob(pdf.stem + "*.png"))
    out = subprocess.run(["zbarimg", "-q", "-Sdisable", "-Si25.enable", "-Sqrcode.enable", *map(str, pngs)],
                         capture_output=True, text=True).stdout
    return [tuple(line.split(":", 1)) for line in out.splitlines() if ":" in line]


def test_select_two_bills_print_statement_and_read_its_barcode(server, terminal):
    tmp = Path(tempfile.mkdtemp(prefix="agencia-print-"))
    printed = tmp / "printed.pdf"
    config = tmp / "client.json"
    # A test printer: the configured command receives the PDF on its standard input.
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=100, height=30)
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F2")
    t.wait_for("Total dos débitos selecionados: R$ 0,00")
    t.keys("F2")  # selects every overdue bill: two of them
    t.wait_for("(2 contas)")
    total = re.search(r"Total dos débitos selecionados: (R\$ [\d.,]+)", t.text()).group(1)
    assert total != "R$ 0,00"
    t.keys("F4")
    t.wait_for("Extrato de débitos nº")
    screen = t.text()
    line = re.search(r"(\d{11}-\d \d{11}-\d \d{11}-\d \d{11}-\d)", screen).group(1)
    value = re.search(r"Valor: (R\$ [\d.,]+)", screen).group(1)
    t.keys("F2")
    t.wait_for("Documento enviado à impressora.")
    assert printed.read_bytes().startswith(b"%PDF-")
    symbols = decode_pdf(printed)
    barcodes = [d for (kind, d) in symbols if kind == "I2/5"]
    qrs = [d for (kind, d) in symbols if kind == "QR-Code"]
    assert len(barcodes) == 1 and len(qrs) == 1, symbols
    # The barcode read from paper is the linha digitável on screen without its block check digits.
    blocks = [b.split("-")[0] for b in line.split()]
    assert barcodes[0] == "".join(blocks)
    # Its value field (positions 5–15) is the statement's value.
    cents = int(barcodes[0][4:15])
    shown = int(re.sub(r"\D", "", value))
    assert cents == shown, (cents, value)
    assert qrs[0].startswith("000201") and "br.gov.bcb.pix" in qrs[0]
