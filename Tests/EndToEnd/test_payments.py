"""Débitos → extrato → impressão, in a real terminal against a real server (issue 3)."""
import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from test_journeys import counter_login, kiosk_login


def decode_pdf(pdf: Path):
    """Every symbol a real barcode reader finds in the rendered PDF: [(type, data)]."""
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    pngs = sorted(pdf.parent.glob(pdf.stem + "*.png"))
    out = subprocess.run(["zbarimg", "-q", "-Sdisable", "-Si25.enable", "-Sqrcode.enable", *map(str, pngs)],
                         capture_output=True, text=True).stdout
    return [tuple(line.split(":", 1)) for line in out.splitlines() if ":" in line]


def test_select_two_bills_print_statement_and_read_its_barcode(dated_server, terminal, scratch):
    server = dated_server
    tmp = scratch("agencia-print-")
    printed = tmp / "printed.pdf"
    config = tmp / "client.json"
    # A test printer: the configured command receives the PDF on its standard input.
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=100, height=30)
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F2")
    t.wait_for("Total selecionado (com multa e juros até hoje): R$ 0,00")
    t.keys("F7")  # selects every overdue bill: two of them
    t.wait_for("(2 contas)")
    total = re.search(r"Total selecionado \(com multa e juros até hoje\): (R\$ [\d.,]+)", t.text()).group(1)
    assert total != "R$ 0,00"
    t.keys("F2")
    t.wait_for("Extrato de débitos nº")
    screen = t.text()
    line = re.search(r"(\d{11}-\d \d{11}-\d \d{11}-\d \d{11}-\d)", screen).group(1)
    value = re.search(r"Valor: (R\$ [\d.,]+)", screen).group(1)
    t.keys("F3")
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


HALVES = {" ": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}
QUADRANTS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"  # index bits: top-left 1, top-right 2, bottom-left 4, bottom-right 8


# Default colours of a terminal theme, as luminance: (foreground, background).
THEMES = {"escuro": (230, 20), "claro": (20, 245)}


def luminance(attrs, theme):
    """(ink, background) luminance of a cell with these SGR parameters under a theme: explicit
    colours as the terminal shows them, defaults from the theme; reverse video swaps them."""
    fg, bg = THEMES[theme]
    if "30" in attrs or ("38" in attrs and "16" in attrs):
        fg = 0
    if "47" in attrs or "107" in attrs or ("48" in attrs and "231" in attrs):
        bg = 255
    return (bg, fg) if "7" in attrs else (fg, bg)


def qr_image_from_screen(styled, path: Path, quadrants: bool, theme: str):
    """Draws the captured screen's QR as a terminal with `theme` shows it: each cell 8 px wide
    and 16 px tall (the real 1:2 aspect); a block's ink in the cell's foreground colour, the rest
    of the cell in its background (defaults from the theme). Half blocks split a cell in
    top/bottom halves (square modules), quadrants in four (modules twice as tall as wide). The
    QR's cells and two cells around them, as they are on the screen."""
    from PIL import Image, ImageDraw
    cells = [[(ch, attrs) for text, attrs in runs for ch in text] for runs in styled]
    ink = set(QUADRANTS if quadrants else HALVES) - {" "}
    rows = [i for i, r in enumerate(cells) if any(c in ink for c, _ in r)]
    cols = [j for i in rows for j, (c, _) in enumerate(cells[i]) if c in ink]
    top, bottom, left, right = rows[0] - 2, rows[-1] + 2, min(cols) - 3, max(cols) + 3
    cw, chh = 8, 16
    img = Image.new("L", ((right - left + 1) * cw, (bottom - top + 1) * chh), THEMES[theme][1])
    draw = ImageDraw.Draw(img)
    for y in range(max(0, top), min(len(cells), bottom + 1)):
        for x in range(max(0, left), min(len(cells[y]), right + 1)):
            c, attrs = cells[y][x]
            fg, bg = luminance(attrs, theme)
            ox, oy = (x - left) * cw, (y - top) * chh
            draw.rectangle([ox, oy, ox + cw - 1, oy + chh - 1], fill=bg)
            if c not in ink:
                continue
            if quadrants:
                bits = QUADRANTS.index(c)
                for k, (dx, dy) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
                    if bits >> k & 1:
                        draw.rectangle([ox + dx * cw // 2, oy + dy * chh // 2, ox + (dx + 1) * cw // 2 - 1, oy + (dy + 1) * chh // 2 - 1], fill=fg)
            else:
                upper, lower = HALVES[c]
                if upper:
                    draw.rectangle([ox, oy, ox + cw - 1, oy + chh // 2 - 1], fill=fg)
                if lower:
                    draw.rectangle([ox, oy + chh // 2, ox + cw - 1, oy + chh - 1], fill=fg)
    img.save(path)


def read_qr(t, quadrants, theme):
    with tempfile.TemporaryDirectory(prefix="agencia-qr-") as folder:
        png = Path(folder) / f"qr-{theme}.png"
        qr_image_from_screen(t.styled(), png, quadrants, theme)
        return subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout.strip()


@pytest.mark.parametrize("size", [(132, 43), (80, 24)], ids=["132x43-meios-blocos", "80x24-quadrantes"])
def test_second_copy_qr_on_screen_reads_as_the_pix_text(dated_server, terminal, size):
    server = dated_server
    width, height = size
    # tmux's own terminfo (no "bce"): curses writes every cell, so the capture holds each cell's
    # colours (with bce, cleared cells take their colour from the erase and tmux does not report it).
    t = terminal(f"--server {server['url']} --mode kiosk", width=width, height=height, env={"TERM": "tmux-256color"})
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F3")
    t.wait_for("Segunda via")
    t.wait_for("A vencer")
    t.keys("Enter")
    t.wait_for("PIX copia e cola")
    screen = t.text().splitlines()
    start = next(i for i, l in enumerate(screen) if "PIX copia e cola" in l) + 1
    # The copia e cola text: the lines under its title, up to a blank one (the QR is to the
    # right, after a gap of spaces; the payload itself never has two spaces in a row).
    pix = ""
    for line in screen[start:]:
        text = line[2:].split("  ")[0]
        if not text.strip():
            break
        pix += text
    # Beside the text: half blocks at 132 columns, quadrant blocks at 80 (half as wide).
    quadrants = width < 100
    assert bool(set(t.text()) & set("▘▝▖▗▚▞▙▟▛▜▌▐")) == quadrants, t.text()
    # Read as a terminal with a dark and with a light theme shows it: the same code either way.
    for theme in THEMES:
        assert read_qr(t, quadrants, theme) == pix, (theme, t.text())
    # Full screen (F7): half blocks, on a light canvas.
    t.keys("F7")
    t.wait_for("PIX —")
    for theme in THEMES:
        out = read_qr(t, quadrants=False, theme=theme)
        assert out.startswith("000201") and "br.gov.bcb.pix" in out, (theme, out)
        assert out == pix, (theme, out, pix)
    # Explicit dark-on-light colours, whatever the terminal's theme: black ink on a light cell.
    styled = t.styled()
    qr_attrs = next(a for runs in styled for text, a in runs if set(text) & set("▀▄█"))
    assert "30" in qr_attrs, qr_attrs
    assert qr_attrs & {"47", "107", "48", "231"}, qr_attrs
    t.keys("Escape")
    t.wait_for("Linha digitável")


def pay_every_overdue_bill_by_card(t):
    """Ana Luíza's 10007-2 at the kiosk: Débitos, every overdue bill, Cartão, the sandbox company,
    confirmed — up to the company's answer."""
    kiosk_login(t, "10007-2", "390.533.447-05")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F2")
    t.wait_for("Total selecionado (com multa e juros até hoje)")
    t.keys("F7")
    t.wait_for("(8 contas)")
    t.keys("F6")
    t.wait_for("Escolha a operadora")
    t.keys("Enter")
    t.wait_for("Total no cartão")
    t.keys("Enter")


def test_card_payment_follows_itself_to_the_receipt(servers, terminal, scratch):
    """The sandbox company (a fake on loopback, clearly named) approves after 1 s: the screen,
    untouched, moves from "aguardando" to "aprovado" with the receipt's references."""
    server = servers.get(None, sandboxCardCompany=1)
    tmp = scratch("agencia-receipt-")
    printed = tmp / "comprovante.pdf"
    config = tmp / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=80, height=24)
    pay_every_overdue_bill_by_card(t)
    t.wait_for("Aguardando a resposta da operadora")
    t.wait_for("Pagamento aprovado pela operadora em", timeout=15)
    screen = t.text()
    reference = re.search(r"Comprovante: referência (AV-CP-\d+) · operadora (SBX-\d+)", screen)
    assert reference, screen
    assert "aguardando" not in screen.lower(), screen
    # F3 prints the receipt: a PDF with both references and the total charged.
    t.keys("F3")
    t.wait_for("Documento enviado à impressora")
    text = subprocess.run(["pdftotext", "-layout", str(printed), "-"], capture_output=True, text=True).stdout
    assert "Comprovante de pagamento" in text and reference.group(1) in text and reference.group(2) in text, text


def test_real_lp_errors_reach_the_screen_in_portuguese(server, terminal, scratch):
    """CUPS's own `lp` with no printer set up (no scheduler here): its English error becomes a
    Portuguese sentence that says what to do."""
    tmp = scratch("agencia-lp-")
    for command, expected in ((["lp"], "não há impressora padrão neste terminal"),
                              (["lp", "-d", "balcao-que-nao-existe"], "a impressora configurada neste terminal não existe")):
        config = tmp / "client.json"
        config.write_text(json.dumps({"client": {"printCommand": command}}))
        t = terminal(f"--server {server['url']} --mode counter --config {config}", width=80, height=24)
        counter_login(t)
        t.type("10001-3")
        t.keys("Enter")
        t.wait_for("1 resultado")
        t.keys("Enter")
        t.wait_for("DÉBITOS EM ABERTO")
        t.keys("F3")
        t.wait_for("Enter abre a segunda via")
        t.keys("Enter")
        t.wait_for("Linha digitável")
        t.keys("F3")
        t.wait_for("Não foi possível imprimir")
        screen = " ".join(l.strip() for l in t.text().splitlines())
        assert expected in screen, screen
        assert "Error" not in screen and "lp:" not in screen, screen
        t.close()


def test_demo_reads_the_configuration_file_too(terminal, scratch):
    """`agencia --demo --config F`: the embedded demo, with the file's printer."""
    tmp = scratch("agencia-demo-config-")
    printed = tmp / "printed.pdf"
    config = tmp / "client.json"
    config.write_text(json.dumps({"client": {"server": "http://127.0.0.1:9", "printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--demo --config {config} --mode kiosk", width=80, height=24)
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO", timeout=60)
    t.keys("F3")
    t.wait_for("Enter abre a segunda via")
    t.keys("Enter")
    t.wait_for("Linha digitável")
    t.keys("F3")
    t.wait_for("Documento enviado à impressora")
    assert printed.read_bytes().startswith(b"%PDF-")


def test_kiosk_holds_the_idle_timer_while_the_card_company_decides(servers, terminal):
    """Issue 28.5: the company takes 12 s, longer than the kiosk's idle time and warning (4 s +
    3 s here): the screen waits without the warning and without logging out, and the customer
    sees the outcome; after it, the idle rule applies again."""
    server = servers.get(None, sandboxCardCompany=12)
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    pay_every_overdue_bill_by_card(t)
    screen = " ".join(t.wait_for("Aguardando a resposta da operadora").split())
    assert "a resposta aparece em Pagamentos" in screen, screen
    deadline = time.time() + 20
    while "Pagamento aprovado" not in t.text():
        assert "Ainda está aí?" not in t.text() and "Atendimento encerrado" not in t.text(), t.text()
        assert time.time() < deadline, t.text()
        time.sleep(0.3)
    t.wait_for("Ainda está aí?", timeout=10)
    t.wait_for("encerrado por inatividade", timeout=10)
