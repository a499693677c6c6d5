import { crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  ACCEPTED_LIST,
  ACCEPTED_TYPES,
  downloadFileName,
  EXTENSIONS,
  fileNameForMessage,
  fileNameProblem,
  sniffMediaType,
} from "../../../app/features/certification/domain/evidence-type";

// ---------- byte samples, built here (no fixture files) ----------

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[] | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

const PDF = utf8("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");

/** A real 1x1 RGB PNG: signature, IHDR, IDAT (zlib), IEND, with correct CRCs. */
function png1x1(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const td = bytes(type, data);
    return bytes(u32be(data.length), td, u32be(crc32(td)));
  };
  const ihdr = bytes(u32be(1), u32be(1), [8, 2, 0, 0, 0]); // 1x1, 8-bit, RGB
  const idat = deflateSync(Buffer.from([0, 0xff, 0x00, 0x00])); // filter byte + one red pixel
  return bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  );
}

const JPEG = bytes(
  [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10],
  "JFIF",
  [0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00],
  [0xff, 0xdb, 0x00, 0x43, 0x00],
);

/** A stored (uncompressed) ZIP archive with a proper central directory. */
function zip(entries: [name: string, content: string][]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = Buffer.from(content, "utf8");
    const crc = crc32(data);
    const common = [
      ...u16le(20),
      ...u16le(0),
      ...u16le(0),
      ...u16le(0),
      ...u16le(0x21),
      ...u32le(crc),
      ...u32le(data.length),
      ...u32le(data.length),
      ...u16le(name.length),
      ...u16le(0),
    ];
    const local = bytes([0x50, 0x4b, 0x03, 0x04], common, name, data);
    centrals.push(
      bytes([0x50, 0x4b, 0x01, 0x02], u16le(20), common, u16le(0), u16le(0), u16le(0), u32le(0), u32le(offset), name),
    );
    locals.push(local);
    offset += local.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = bytes(
    [0x50, 0x4b, 0x05, 0x06],
    u16le(0),
    u16le(0),
    u16le(entries.length),
    u16le(entries.length),
    u32le(cd.length),
    u32le(offset),
    u16le(0),
  );
  return bytes(...locals, cd, eocd);
}

const ZIP = zip([
  ["report.txt", "Penetration test report\n"],
  ["capture/notes.md", "# Notes\n"],
]);

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  "</Types>";
const DOCX = zip([
  ["[Content_Types].xml", CONTENT_TYPES],
  ["word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'],
]);
const XLSX = zip([
  [
    "[Content_Types].xml",
    CONTENT_TYPES.replace("/word/document.xml", "/xl/workbook.xml").replace(
      "wordprocessingml.document",
      "spreadsheetml.sheet",
    ),
  ],
  ["xl/workbook.xml", "<workbook/>"],
]);

const pcapHeader = (magic: number[]) => bytes(magic, [0x00, 0x02, 0x00, 0x04], new Array(16).fill(0));
const PCAPNG = bytes(
  [0x0a, 0x0d, 0x0d, 0x0a],
  u32le(28),
  [0x4d, 0x3c, 0x2b, 0x1a],
  u16le(1),
  u16le(0),
  new Array(8).fill(0xff),
  u32le(28),
);

const ELF = bytes(
  [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00],
  new Array(8).fill(0),
  u16le(2),
  u16le(0x3e),
  u32le(1),
);
const EXE = (() => {
  const dos = Buffer.alloc(0x80);
  dos.write("MZ", 0, "latin1");
  dos.writeUInt32LE(0x40, 0x3c); // e_lfanew: PE header at 0x40
  dos.write("PE\0\0", 0x40, "latin1");
  dos.writeUInt16LE(0x8664, 0x44); // machine: x86-64
  return new Uint8Array(dos);
})();
const GIF = bytes(
  "GIF89a",
  [0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00],
  "!\xf9\x04\x01\x00\x00\x00\x00,",
  [0, 0, 0, 0, 1, 0, 1, 0, 0],
  [0x02, 0x02, 0x44, 0x01, 0x00, 0x3b],
);

// A fixed, arbitrary binary blob with NUL bytes that matches no known signature.
const RANDOM_BINARY = bytes([
  0x13, 0x37, 0x00, 0xc4, 0x9e, 0x00, 0x71, 0x05, 0xaa, 0x00, 0x00, 0x3f, 0xe1, 0x82, 0x00, 0x5a, 0x9c, 0x00, 0x11,
  0xd0,
]);

const accepted = (mediaType: keyof typeof ACCEPTED_TYPES) => ({
  ok: true,
  mediaType,
  label: ACCEPTED_TYPES[mediaType],
});

// ---------- sniffing ----------

describe("sniffMediaType: accepted binary formats", () => {
  it.each([
    ["PDF", "application/pdf", PDF],
    ["PNG (real 1x1)", "image/png", png1x1()],
    ["JPEG (JFIF)", "image/jpeg", JPEG],
    ["ZIP", "application/zip", ZIP],
    [
      "pcap, little-endian microseconds (d4 c3 b2 a1)",
      "application/vnd.tcpdump.pcap",
      pcapHeader([0xd4, 0xc3, 0xb2, 0xa1]),
    ],
    [
      "pcap, big-endian microseconds (a1 b2 c3 d4)",
      "application/vnd.tcpdump.pcap",
      pcapHeader([0xa1, 0xb2, 0xc3, 0xd4]),
    ],
    [
      "pcap, little-endian nanoseconds (4d 3c b2 a1)",
      "application/vnd.tcpdump.pcap",
      pcapHeader([0x4d, 0x3c, 0xb2, 0xa1]),
    ],
    [
      "pcap, big-endian nanoseconds (a1 b2 3c 4d)",
      "application/vnd.tcpdump.pcap",
      pcapHeader([0xa1, 0xb2, 0x3c, 0x4d]),
    ],
    ["pcapng", "application/x-pcapng", PCAPNG],
  ] as const)("%s -> %s", async (_what, mediaType, sample) => {
    expect(await sniffMediaType(sample, true)).toEqual(accepted(mediaType));
    // Only the first bytes are ever looked at: an incomplete sample gives the same answer.
    expect(await sniffMediaType(sample, false)).toEqual(accepted(mediaType));
  });
});

describe("sniffMediaType: text", () => {
  it.each([
    ["plain ASCII text", "text/plain", "Firmware 1.2.3 passed the fuzzing campaign.\nNo crashes.\n", true],
    [
      "UTF-8 with BOM and non-ASCII letters",
      "text/plain",
      "\uFEFFPrüfbericht: Größe, Änderung, naïve café — 東京 ✓\n",
      true,
    ],
    ["a shell-looking log is just text", "text/plain", "#!/bin/sh\necho hi\n", true],
    ["ANSI escape codes (ESC is allowed)", "text/plain", "\u001b[31mFAIL\u001b[0m test 3\n", true],
    ["tabs, CR and form feed are allowed", "text/plain", "a\tb\r\nc\fd", true],
    // JSON
    ["complete valid JSON object", "application/json", '{"firmware":"1.2.3","ports":[22,443]}', true],
    ["complete valid JSON array", "application/json", "[1, 2, 3]\n", true],
    ["complete valid JSON with leading whitespace", "application/json", '  \n\t{"a": true}', true],
    ["complete valid JSON with a BOM", "application/json", '\uFEFF{"a": "ü"}', true],
    ["complete but invalid, starting with {", "text/plain", '{"firmware": "1.2.3",', true],
    ["complete but invalid, starting with [", "text/plain", "[ this is a note ]", true],
    ["incomplete sample starting with [", "application/json", '[{"ts": 1, "event": "boot"}, {"ts": 2, "ev', false],
    ["incomplete sample starting with {", "application/json", '{"a": [1, 2, 3', false],
    // CSV
    [
      "CSV with commas over several lines",
      "text/csv",
      "port,protocol,state\n22,tcp,open\n443,tcp,open\n8080,tcp,closed\n",
      true,
    ],
    ["CSV with CRLF line ends", "text/csv", "a,b\r\n1,2\r\n3,4\r\n", true],
    ["CSV with semicolons", "text/csv", "Port;Protokoll;Status\n22;tcp;offen\n443;tcp;offen\n", true],
    ["CSV with tabs", "text/csv", "port\tstate\n22\topen\n443\topen\n", true],
    ["a single CSV-looking line is plain text", "text/plain", "port,protocol,state\n", true],
    ["a single CSV-looking line without newline is plain text", "text/plain", "a,b,c", true],
    ["inconsistent comma counts are plain text", "text/plain", "a,b,c\n1,2\n3,4,5,6\n", true],
    ["incomplete CSV: the cut last line is ignored", "text/csv", "a,b,c\n1,2,3\n4,5", false],
    ["complete file with a short last line is not CSV", "text/plain", "a,b,c\n1,2,3\n4,5", true],
    ["incomplete with a single full line is not CSV", "text/plain", "a,b,c\n1,2", false],
  ] as const)("%s -> %s", async (_what, mediaType, text, complete) => {
    expect(await sniffMediaType(utf8(text), complete)).toEqual(accepted(mediaType));
  });

  it.each([
    [
      "a pen-test report quoting markup after its first line",
      "Pen test report, gateway GW-2\nFinding 3: stored XSS, <script>alert(1)</script> in the device name.\n" +
        '<svg onload=alert(1)> and <!DOCTYPE html><div onclick="x"> work too; see http://www.w3.org/2000/svg.\n',
    ],
    [
      "a syslog line (<PRI>) that quotes an svg payload",
      "<134>Oct 11 22:14:15 gw waf: blocked <svg onload=alert(1)>\n",
    ],
    ["a tag-like word that is no signature (<bridge>, <pre-check>)", "<bridge> link up\n<pre-check> done\n"],
    ["a comment not followed by a space or >, then text", "<!--note-->\nhello\n"],
  ] as const)("%s -> text/plain", async (_what, text) => {
    expect(await sniffMediaType(utf8(text), true)).toEqual(accepted("text/plain"));
  });

  it("a multi-byte UTF-8 character cut at the end of an incomplete sample is still text", async () => {
    const full = utf8("Prüfbericht für das Gerät: 東");
    expect([...full.subarray(-3)]).toEqual([0xe6, 0x9d, 0xb1]); // 東
    const cut = full.subarray(0, full.length - 1); // ends in e6 9d: cut inside 東
    expect(await sniffMediaType(cut, false)).toEqual(accepted("text/plain"));
    const cutTwoBytes = utf8("Größe: ü").subarray(0, -1); // ü = c3 bc: only c3 left
    expect(await sniffMediaType(cutTwoBytes, false)).toEqual(accepted("text/plain"));
  });

  it("the same cut character in a complete file is not UTF-8 and is refused", async () => {
    const cut = utf8("Prüfbericht 東").subarray(0, -1);
    expect(await sniffMediaType(cut, true)).toMatchObject({
      ok: false,
      detected: "binary data of an unrecognised format (not UTF-8 text)",
    });
  });
});

describe("sniffMediaType: refused", () => {
  const refusedMessage = (detected: string) =>
    `This file is ${detected}, which is not accepted as evidence. Upload ${ACCEPTED_LIST}.`;

  it.each([
    ["ELF executable", "an ELF executable", ELF],
    ["Windows executable (MZ + PE header)", "a Windows executable", EXE],
    ["GIF image", "a GIF image", GIF],
    ["DOCX (zip with [Content_Types].xml and word/)", "a Word document (export it as PDF)", DOCX],
    ["XLSX (zip with [Content_Types].xml and xl/)", "an Excel workbook (export it as PDF or CSV)", XLSX],
    ["HTML with doctype", "an HTML document", utf8("<!DOCTYPE html>\n<html><body>hi</body></html>")],
    ["HTML with lower-case doctype", "an HTML document", utf8("<!doctype html><title>x</title>")],
    ["<html> without doctype", "an HTML document", utf8("<html>\n<body>hi</body></html>")],
    ["<HTML lang=…> upper case", "an HTML document", utf8('<HTML lang="en"><BODY>x</BODY></HTML>')],
    ["<body> fragment", "an HTML document", utf8("<body onload=alert(1)>")],
    ["<iframe> fragment", "an HTML document", utf8('<iframe src="https://example.org"></iframe>')],
    ["leading whitespace before <script>", "an HTML document", utf8("\n\n   \t<script>alert(1)</script>")],
    ["BOM and whitespace before <script>", "an HTML document", utf8("\uFEFF  \n<script>alert(1)</script>")],
    [
      "SVG without XML declaration",
      "an SVG image",
      utf8('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'),
    ],
    [
      "SVG with XML declaration",
      "an SVG image",
      utf8('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ],
    ["SVG with BOM and XML declaration", "an SVG image", utf8('\uFEFF<?xml version="1.0"?><svg/>')],
    [
      "XML document",
      "an XML document",
      utf8('<?xml version="1.0" encoding="UTF-8"?>\n<config><debug>true</debug></config>'),
    ],
    ["random binary with NUL bytes", "binary data of an unrecognised format", RANDOM_BINARY],
    ["text with a NUL byte", "binary data of an unrecognised format", utf8("hello\u0000world")],
    [
      "UTF-16LE text without BOM (NUL bytes)",
      "binary data of an unrecognised format",
      bytes(Buffer.from("hello", "utf16le")),
    ],
    [
      "invalid UTF-8 (C3 followed by an ASCII byte)",
      "binary data of an unrecognised format (not UTF-8 text)",
      bytes("abc", [0xc3, 0x28], "def"),
    ],
    [
      "Latin-1 text (not UTF-8)",
      "binary data of an unrecognised format (not UTF-8 text)",
      bytes("Pr\xfcfbericht f\xfcr Ger\xe4t\n"),
    ],
    ["lone continuation byte", "binary data of an unrecognised format (not UTF-8 text)", bytes("ok ", [0x80], " ok")],
    [
      "control characters in text",
      "binary data of an unrecognised format (control characters)",
      utf8("log\u0001line\u0002\n"),
    ],
  ] as const)("%s -> %s", async (_what, detected, sample) => {
    expect(await sniffMediaType(sample, true)).toEqual({ ok: false, detected, message: refusedMessage(detected) });
  });

  it("HTML and SVG stay refused in an incomplete sample", async () => {
    expect(await sniffMediaType(utf8("<!DOCTYPE html><html><body>" + "x".repeat(100)), false)).toMatchObject({
      ok: false,
      detected: "an HTML document",
    });
    expect(await sniffMediaType(utf8("<svg><rect width="), false)).toMatchObject({
      ok: false,
      detected: "an SVG image",
    });
  });

  it("an unaccepted format without a friendly name is named by extension and media type", async () => {
    const tiff = bytes("II*\0", u32le(8), new Array(8).fill(0));
    expect(await sniffMediaType(tiff, true)).toMatchObject({ ok: false, detected: "TIF (image/tiff)" });
  });

  it("UTF-16 text with a BOM is refused (file-type takes FF FE for an MPEG audio frame)", async () => {
    const sample = bytes([0xff, 0xfe], Buffer.from("Prüfbericht", "utf16le"));
    expect(await sniffMediaType(sample, true)).toMatchObject({ ok: false, detected: "MP1 (audio/mpeg)" });
  });

  // Pen test: markup that did not start with <html>, <svg>, <script>… passed as plain text.
  it.each([
    [
      "SVG behind a DOCTYPE",
      "an SVG image",
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ],
    [
      "SVG with a namespace prefix",
      "an SVG image",
      '<a:svg xmlns:a="http://www.w3.org/2000/svg"><a:script>alert(1)</a:script></a:svg>',
    ],
    [
      "the SVG namespace deep in the sample, under another root",
      "an SVG image",
      `<report>${"x".repeat(20_000)}<g xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></g></report>`,
    ],
    ["<div> fragment", "an HTML document", "<div><img src=x onerror=alert(1)></div>"],
    ["<DIV> upper case after whitespace", "an HTML document", "\r\n  <DIV class=x>hi</DIV>"],
    ["a comment, then text", "an HTML document", "<!-- note -->\nhello"],
    ["any other DOCTYPE", "an XML document", '<!DOCTYPE note SYSTEM "note.dtd">\n<note>hi</note>'],
  ] as const)("%s -> %s", async (_what, detected, text) => {
    expect(await sniffMediaType(utf8(text), true)).toMatchObject({ ok: false, detected });
  });

  it.each([
    "html",
    "head",
    "script",
    "iframe",
    "h1",
    "div",
    "font",
    "table",
    "a",
    "style",
    "title",
    "b",
    "body",
    "br",
    "p",
  ])("the WHATWG HTML signature <%s, followed by a space or > (any case, after whitespace)", async (tag) => {
    for (const text of [`<${tag}>x`, `<${tag.toUpperCase()} id=1>x`, ` \n\t<${tag}>x`])
      expect(await sniffMediaType(utf8(text), true), text).toMatchObject({ ok: false, detected: "an HTML document" });
  });

  it("HTML behind a leading comment is still refused as HTML", async () => {
    expect(await sniffMediaType(utf8("<!-- c -->\n<html><body>x</body></html>"), true)).toMatchObject({
      ok: false,
      detected: "an HTML document",
    });
  });

  it("empty -> refused: The file is empty.", async () => {
    expect(await sniffMediaType(new Uint8Array(), true)).toEqual({
      ok: false,
      detected: "empty",
      message: "The file is empty.",
    });
    expect(await sniffMediaType(new Uint8Array(), false)).toEqual({
      ok: false,
      detected: "empty",
      message: "The file is empty.",
    });
  });

  // Text whose first bytes collide with a short binary signature is still text.
  it.each([
    ["CSV whose first column is BMW", "text/csv", "BMW,model,year\nX1,SUV,2024\nZ4,Roadster,2023\n"],
    ["text report starting with MZ", "text/plain", "MZ-1 firmware test report\nAll checks passed.\n"],
    ["CSV whose header starts with ID3", "text/csv", "ID3,name,value\n1,a,b\n2,c,d\n"],
  ] as const)("%s is accepted as %s", async (_what, mediaType, text) => {
    expect(await sniffMediaType(utf8(text), true)).toEqual(accepted(mediaType));
  });
});

// ---------- file names ----------

describe("fileNameProblem", () => {
  it.each([
    ["report.pdf"],
    ["Pen test report (final) v2.pdf"],
    ["Prüfbericht 2026.pdf"],
    ["東京テスト.csv"],
    ["capture-2026-01-01T10:00.pcapng"],
    ["..hidden.pdf"],
    ["x..y.pdf"],
    ["..."],
    [".env"],
    ["a".repeat(255)],
    ["ü".repeat(255)], // 510 bytes in UTF-8, but 255 characters
    ["😀".repeat(255)], // 1020 bytes, 510 UTF-16 units, 255 characters
  ])("accepts %j", (name) => {
    expect(fileNameProblem(name)).toBeNull();
  });

  it.each([
    ["", "The file has no name."],
    [" ", "The file has no name."],
    ["   \t  ", "The file has no name."],
    ["a".repeat(256), "The file name is longer than 255 characters."],
    ["ü".repeat(256), "The file name is longer than 255 characters."],
    ["😀".repeat(256), "The file name is longer than 255 characters."],
    ["report\u0000.pdf", "The file name contains control characters."],
    ["report\n.pdf", "The file name contains control characters."],
    ["report\r.pdf", "The file name contains control characters."],
    ["report\t.pdf", "The file name contains control characters."],
    ["report\u001f.pdf", "The file name contains control characters."],
    ["report\u007f.pdf", "The file name contains control characters."],
    ["../x.pdf", "The file name contains a path (/, \\ or ..)."],
    ["a/b.pdf", "The file name contains a path (/, \\ or ..)."],
    ["/etc/passwd", "The file name contains a path (/, \\ or ..)."],
    ["a\\b.pdf", "The file name contains a path (/, \\ or ..)."],
    ["..\\..\\x.pdf", "The file name contains a path (/, \\ or ..)."],
    [".", "The file name contains a path (/, \\ or ..)."],
    ["..", "The file name contains a path (/, \\ or ..)."],
  ])("refuses %j: %s", (name, problem) => {
    expect(fileNameProblem(name)).toBe(problem);
  });

  it("the length is counted in characters (code points), not bytes or UTF-16 units", () => {
    const name = "ü".repeat(200) + "😀".repeat(55); // 255 characters, 565 bytes, 310 UTF-16 units
    expect([...name]).toHaveLength(255);
    expect(fileNameProblem(name)).toBeNull();
    expect(fileNameProblem(name + "x")).toBe("The file name is longer than 255 characters.");
  });
});

describe("fileNameProblem: invisible and direction-changing characters", () => {
  it.each([
    ["scan\u202Etxt.js", "U+202E"], // right-to-left override: reads "scansj.txt"
    ["report\u202Dx.pdf", "U+202D"], // left-to-right override
    ["a\u2066b\u2069.pdf", "U+2066, U+2069"], // isolates
    ["report\u200B.pdf", "U+200B"], // zero-width space
    ["re\u200Dport.pdf", "U+200D"], // zero-width joiner
    ["\uFEFFreport.pdf", "U+FEFF"], // byte order mark
    ["report\u200F.pdf", "U+200F"], // right-to-left mark
    ["report\u061C.pdf", "U+061C"], // Arabic letter mark
    ["report\u2060.pdf", "U+2060"], // word joiner
  ])("refuses %j, naming %s", (name, codes) => {
    expect(fileNameProblem(name)).toBe(
      `The file name contains invisible or direction-changing characters (${codes}), which can disguise what it is: rename the file without them.`,
    );
  });

  it("the same name is refused every time (the shared pattern is global: no state carries over)", () => {
    for (let i = 0; i < 3; i++) expect(fileNameProblem("scan\u202Etxt.js")).not.toBeNull();
    expect(fileNameProblem("تقرير.pdf")).toBeNull(); // right-to-left script itself is fine
  });

  it("fileNameForMessage shows those characters and control characters as code points, quoted", () => {
    expect(fileNameForMessage("scan\u202Etxt.js")).toBe('"scan<U+202E>txt.js"');
    expect(fileNameForMessage("a\u0007b.txt")).toBe('"a<U+0007>b.txt"');
    expect(fileNameForMessage("x".repeat(100))).toBe(`"${"x".repeat(80)}"`);
  });
});

describe("downloadFileName", () => {
  it.each([
    ["scan-results.js", "text/plain", "scan-results.js.txt"],
    ["scan-results.bat", "text/plain", "scan-results.bat.txt"],
    ["scan-results.hta", "text/plain", "scan-results.hta.txt"],
    ["payload.html", "text/plain", "payload.html.txt"],
    ["data.csv", "text/plain", "data.csv.txt"], // detected as plain text, not CSV: not opened as a spreadsheet
    ["README", "text/plain", "README.txt"],
    [".env", "text/plain", ".env.txt"],
    ["notes.txt", "text/plain", "notes.txt"],
    ["syslog.LOG", "text/plain", "syslog.LOG"],
    ["report.pdf", "application/pdf", "report.pdf"],
    ["Report.PDF", "application/pdf", "Report.PDF"],
    ["report.pdf.exe", "application/pdf", "report.pdf.exe.pdf"],
    ["photo.jpeg", "image/jpeg", "photo.jpeg"],
    ["photo.png", "image/jpeg", "photo.png.jpg"],
    ["sbom.cdx.json", "application/json", "sbom.cdx.json"],
    ["ports.tsv", "text/csv", "ports.tsv"],
    ["capture.cap", "application/vnd.tcpdump.pcap", "capture.cap"],
    ["capture.pcap", "application/x-pcapng", "capture.pcap.pcapng"],
    ["bundle.zip", "application/zip", "bundle.zip"],
    ["trailing dots...", "application/zip", "trailing dots.zip"],
    ["...", "text/plain", "evidence.txt"],
  ])("%j detected as %s downloads as %j", (name, type, expected) => {
    expect(downloadFileName(name, type)).toBe(expected);
  });

  it("drops invisible and direction-changing characters of names stored before they were refused", () => {
    expect(downloadFileName("scan\u202Etxt.js", "text/plain")).toBe("scantxt.js.txt");
    expect(downloadFileName("re\u200Bport.pdf", "application/pdf")).toBe("report.pdf");
  });

  it("every accepted type has its extensions", () => {
    expect(Object.keys(EXTENSIONS).sort()).toEqual(Object.keys(ACCEPTED_TYPES).sort());
  });
});
