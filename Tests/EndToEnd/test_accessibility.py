"""Issue 32 in a real terminal: a kiosk that speaks to files (espeak-ng's Brazilian voice, WAVs
checked by sox), the terminal's cursor on what has the focus (read from tmux), high contrast."""
import re
import subprocess
import time

from conftest import TMUX, attributes_of
from test_journeys import kiosk_login


def cursor(t):
    """The terminal's cursor (column, row) as tmux has it, and whether it is shown."""
    x, y, shown = subprocess.run(TMUX + ["display", "-p", "-t", t.name, "#{cursor_x} #{cursor_y} #{cursor_flag}"],
                                 capture_output=True, text=True, check=True).stdout.split()
    return int(x), int(y), shown == "1"


def wait_said(log, needle, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if log.exists() and needle in log.read_text():
            return log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"não foi dito: {needle!r}\n{log.read_text() if log.exists() else ''}")


def test_the_kiosk_says_a_second_copy_journey_and_its_cursor_follows(servers, terminal, scratch):
    server = servers.get(None, kioskIdleSeconds=120)
    speech = scratch("agencia-fala-")
    log = speech / "utterances.log"
    t = terminal(f"--server {server['url']} --mode kiosk --speech-file {speech}", width=80, height=24, env={"TZ": "UTC"})
    screen = t.wait_for("F12 áudio")
    t.keys("F12")
    wait_said(log, "Áudio ligado")
    # The cursor stands in the field being typed.
    x, y, shown = cursor(t)
    assert shown and "Matrícula" in t.text().splitlines()[y], (x, y, t.text())
    # What was typed, read back on request (Ctrl-L), the CPF only masked.
    t.type("10001-3")
    t.keys("C-l")
    wait_said(log, "Matrícula: um, zero, zero, zero, um, traço, três.")
    t.keys("Tab")
    t.type("111.444.777-35")
    t.keys("C-l")
    wait_said(log, "oculto, oculto, oculto, ponto, quatro, quatro, quatro")
    t.keys("Enter")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F2")
    t.wait_for("Débitos — imóvel")
    t.keys("Down")
    screen = t.wait_for("▶")
    x, y, shown = cursor(t)
    assert shown and "▶" in screen.splitlines()[y], (x, y, screen)
    wait_said(log, "Conta de ")
    t.keys("Enter")
    t.wait_for("Segunda via")
    wait_said(log, "Linha digitável: ")
    t.keys("F10")
    t.wait_for("Matrícula:")
    said = wait_said(log, "Atendimento encerrado")

    lines = [l.split("\t", 1)[1] for l in said.splitlines()]
    order = ["Entrar", "Áudio ligado", "Imóvel um, zero, zero, zero, um, traço, três", "DÉBITOS EM ABERTO", "Débitos — imóvel um, zero",
             "Conta de ", "Segunda via — imóvel", "Valor: ", "Linha digitável: ", "Atendimento encerrado"]
    positions = [next(i for i, l in enumerate(lines) if needle in l) for needle in order]
    assert positions == sorted(positions), (positions, lines)
    bill = next(l for l in lines if "Conta de " in l)
    assert re.search(r"Conta de \w+ de dois mil e \w+", bill) and " reais" in bill, bill
    # The second copy: its value in words, the line to type block by block, digit by digit.
    copy = next(l for l in lines if "Linha digitável: " in l)
    assert re.search(r"Valor: [a-z ]+ reais", copy), copy
    typed = copy.split("Linha digitável: ", 1)[1]
    assert typed.count("; ") in (3, 4) and not re.search(r"\d", typed), typed
    assert not re.search(r"\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11}", said), "no CPF in full"
    # The synthesiser writes each file while the kiosk goes on: the last may still be being written.
    deadline = time.time() + 30
    while subprocess.run(["pgrep", "-f", f"-w {speech}/"], capture_output=True).returncode == 0:
        assert time.time() < deadline, "espeak-ng did not finish"
        time.sleep(0.1)
    for n in range(1, len(lines) + 1):
        wav = speech / f"{n:04d}.wav"
        assert wav.read_bytes()[:4] == b"RIFF", wav
        stat = subprocess.run(["sox", str(wav), "-n", "stat"], capture_output=True, text=True).stderr
        rms = float(re.search(r"RMS\s+amplitude:\s+([0-9.]+)", stat).group(1))
        assert rms > 0.01, (wav, stat)


def test_high_contrast_at_the_kiosk_and_back_for_the_next_customer(servers, terminal):
    server = servers.get(None, kioskIdleSeconds=120)
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24, env={"TERM": "xterm-256color"})
    t.wait_for("F11 alto contraste")
    t.keys("Escape", "-")  # F11 on a keyboard without it
    t.wait_for("Alto contraste ligado")
    styled = t.styled()
    # White on the 256-colour black on the plain text: both colours named.
    attrs = attributes_of(styled, "Digite a matrícula")
    assert "231" in attrs and "16" in attrs, attrs
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F10")
    t.wait_for("Matrícula:")
    attrs = attributes_of(t.styled(), "Digite a matrícula")
    assert "231" not in attrs, f"the next customer starts in the usual colours: {attrs}"
