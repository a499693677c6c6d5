/**
 * The seal certificate: one A4 page to print and hang on a stand, carrying the signed
 * credential and its transparency-log proof as attached files, so the PDF alone is enough to
 * verify the seal offline.
 *
 * - Synchronous: it is called inside a better-sqlite3 transaction, which cannot await. With only
 *   the standard fonts and vector drawing, pdfkit pushes every byte during `doc.end()`, so the
 *   stream can be drained with `read()` straight away.
 * - Deterministic: the same inputs give the same bytes. Every date in the file is the
 *   credential's `validFrom`, and the trailer's file /ID, which pdfkit derives from the
 *   document info, is made from info that names the credential's SHA-256.
 * - Every fact printed comes from `visibleFacts`, the strings the page check compares against.
 */
import { createHash } from "node:crypto";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { SealCredential } from "../domain/credential";
import { credentialFingerprint, printableText, visibleFacts, type FactKey } from "../domain/seal-facts";
import { LEGACY_TLOG_PROOF_ATTACHMENT, TLOG_PROOF_ATTACHMENT } from "../domain/tlog-proof";

export const CREDENTIAL_ATTACHMENT = "seal.vc.jwt";
/** New seals: the log proof as C2SP tlog-proof@v1 text (domain/tlog-proof.ts). */
export const LOG_PROOF_ATTACHMENT = TLOG_PROOF_ATTACHMENT;
/** Seals issued before: our own JSON (domain/tlog.ts TlogProof). */
export const LEGACY_LOG_PROOF_ATTACHMENT = LEGACY_TLOG_PROOF_ATTACHMENT;

export interface SealPdfInput {
  jws: string;
  credential: SealCredential;
  sealUrl: string;
  /**
   * The log proof at issue: the tlog-proof@v1 text (a string), attached as `seal.tlog-proof`;
   * anything else is the JSON of a seal issued before, attached as `seal.tlog-proof.json` (so
   * an older seal's stored inputs still render its issued bytes).
   */
  logProof: unknown;
}

const NAVY = "#16325c";
const GOLD = "#b8892b";
const GOLD_LIGHT = "#ecd9a6";
const INK = "#1d232b";
const MUTED = "#5e6773";

// A4 in points; the content sits inside a double frame.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const LEFT = 64;
const WIDTH = PAGE_W - 2 * LEFT;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface TextStyle {
  font: string;
  max: number; // font size when the text fits
  min: number; // smallest size before the text is cut off (only beyond the portal's input limits)
  color?: string;
  align?: "left" | "center" | "right";
  middle?: boolean; // centre the text vertically in its box
}

type Doc = PDFKit.PDFDocument;

export function renderSealPdf(input: SealPdfInput): Buffer {
  const { jws, credential, sealUrl, logProof } = input;
  const proofIsText = typeof logProof === "string";
  const proofName = proofIsText ? LOG_PROOF_ATTACHMENT : LEGACY_LOG_PROOF_ATTACHMENT;
  const date = new Date(credential.validFrom);
  const serial = credential.credentialSubject.serial;
  const facts = new Map(visibleFacts(credential).map((f) => [f.key, f]));
  const fact = (key: FactKey) => facts.get(key)!;
  const gtin = facts.get("gtin"); // printed when the product has one

  const doc = new PDFDocument({
    size: "A4",
    margin: 0, // everything is placed explicitly; text is kept inside its box with `height`
    pdfVersion: "1.7",
    lang: "en",
    displayTitle: true,
    info: {
      Title: `IoT Seal certificate ${serial}`,
      Author: printableText(credential.issuer.name),
      Subject: `${fact("product").value}, firmware ${fact("firmwareVersion").value}`,
      // pdfkit hashes the info into the trailer /ID: naming the credential makes the ID the seal's.
      Keywords: `IoT Seal; ${serial}; credential sha256 ${createHash("sha256").update(jws).digest("hex")}`,
      Creator: "IoT Seal",
      Producer: "IoT Seal",
      CreationDate: date,
      ModDate: date,
    },
  });

  drawFrame(doc);
  drawBadge(doc, PAGE_W / 2, 98, 48);

  centered(doc, "Certificate of IoT Security Assessment", 164, {
    font: "Helvetica-Bold",
    max: 22,
    min: 22,
    color: NAVY,
  });
  centered(
    doc,
    "The product below was assessed against the checklist named on this certificate and met its requirements.",
    193,
    {
      font: "Helvetica",
      max: 10,
      min: 10,
      color: MUTED,
    },
  );

  // The product, large.
  label(doc, fact("product").label, { x: LEFT, y: 226, w: WIDTH, h: 12 }, "center");
  fitText(
    doc,
    fact("product").value,
    { x: LEFT, y: 240, w: WIDTH, h: 66 },
    { font: "Helvetica-Bold", max: 26, min: 12, color: INK, align: "center", middle: true },
  );
  rule(doc, 318);

  // The details, in a grid.
  const gap = 24;
  const half = (WIDTH - gap) / 2;
  const third = (WIDTH - 2 * gap) / 3;
  let y = 334;
  const row = 58;
  field(doc, fact("model"), { x: LEFT, y, w: half, h: 30 });
  field(doc, fact("supplier"), { x: LEFT + half + gap, y, w: half, h: 30 });
  y += row;
  if (gtin) {
    field(doc, fact("hardwareRevision"), { x: LEFT, y, w: third, h: 30 });
    field(doc, fact("firmwareVersion"), { x: LEFT + third + gap, y, w: third, h: 30 });
    field(doc, gtin, { x: LEFT + 2 * (third + gap), y, w: third, h: 30 });
  } else {
    field(doc, fact("hardwareRevision"), { x: LEFT, y, w: half, h: 30 });
    field(doc, fact("firmwareVersion"), { x: LEFT + half + gap, y, w: half, h: 30 });
  }
  y += row;
  field(doc, fact("checklist"), { x: LEFT, y, w: WIDTH, h: 30 });
  y += row;
  field(doc, fact("level"), { x: LEFT, y, w: third, h: 30 });
  field(doc, fact("results"), { x: LEFT + third + gap, y, w: WIDTH - third - gap, h: 30 }, 11);
  y += row;
  field(doc, fact("issued"), { x: LEFT, y, w: third, h: 16 });
  field(doc, fact("validUntil"), { x: LEFT + third + gap, y, w: third, h: 16 });
  field(doc, fact("supportPeriodEnd"), { x: LEFT + 2 * (third + gap), y, w: third, h: 16 });
  y += 44;
  rule(doc, y);

  // Serial, issuer and fingerprint on the left; the QR code to the live status on the right.
  const qrSize = 112;
  const qrX = LEFT + WIDTH - qrSize;
  const top = y + 18;
  const leftW = WIDTH - qrSize - gap;
  label(doc, fact("serial").label, { x: LEFT, y: top, w: leftW, h: 12 });
  fitText(
    doc,
    fact("serial").value,
    { x: LEFT, y: top + 14, w: leftW, h: 26 },
    { font: "Courier-Bold", max: 24, min: 10, color: NAVY },
  );
  field(doc, fact("issuer"), { x: LEFT, y: top + 52, w: leftW, h: 16 });
  label(doc, "Credential fingerprint (SHA-256 of the signed credential)", { x: LEFT, y: top + 88, w: leftW, h: 12 });
  fitText(
    doc,
    credentialFingerprint(jws),
    { x: LEFT, y: top + 102, w: leftW, h: 14 },
    { font: "Courier-Bold", max: 12, min: 12, color: INK },
  );

  drawQr(doc, sealUrl, qrX, top - 6, qrSize);
  fitText(
    doc,
    "Scan to check the live status",
    { x: qrX - 20, y: top + qrSize - 2, w: qrSize + 40, h: 12 },
    { font: "Helvetica-Bold", max: 8.5, min: 8.5, color: NAVY, align: "center" },
  );
  fitText(
    doc,
    printableText(sealUrl),
    { x: qrX - 20, y: top + qrSize + 10, w: qrSize + 40, h: 10 },
    { font: "Helvetica", max: 7.5, min: 4, color: MUTED, align: "center" },
  );

  const verifyUrl = `${new URL(sealUrl).origin}/verify`;
  fitText(
    doc,
    `To check this certificate, scan the QR code or open ${printableText(sealUrl)} for the seal's live status, ` +
      `or upload this PDF at ${printableText(verifyUrl)}. ` +
      `Attached to this PDF: the signed credential (${CREDENTIAL_ATTACHMENT}) and its transparency-log proof (${proofName}), enough to verify it offline. ` +
      "The printed text is only a copy: the signed credential is what counts, and the live status can change." +
      ([...facts.values()].some((f) => f.lossy)
        ? " Characters this certificate's font cannot print are shown as ?: the credential and the seal's page give them exactly."
        : ""),
    { x: LEFT, y: 776, w: WIDTH, h: 30 },
    { font: "Helvetica", max: 7.5, min: 6, color: MUTED, align: "center" },
  );

  attach(
    doc,
    Buffer.from(jws, "utf8"),
    CREDENTIAL_ATTACHMENT,
    "application/vc+jwt",
    "The signed seal credential (W3C VC 2.0 as a compact JWS)",
    "Source",
    date,
  );
  attach(
    doc,
    Buffer.from(proofIsText ? logProof : JSON.stringify(logProof ?? null, null, 2), "utf8"),
    proofName,
    proofIsText ? "text/plain" : "application/json",
    proofIsText ? "Transparency-log proof for this seal (C2SP tlog-proof@v1)" : "Transparency-log proof for this seal",
    "Supplement",
    date,
  );

  return drainSync(doc);
}

/** Ends the document and collects its bytes; throws if pdfkit did not finish synchronously. */
function drainSync(doc: Doc): Buffer {
  doc.end();
  const chunks: Buffer[] = [];
  for (let chunk: Buffer | null; (chunk = doc.read()) !== null;) chunks.push(chunk);
  const pdf = Buffer.concat(chunks);
  if (!pdf.subarray(-8).toString("latin1").includes("%%EOF"))
    throw new Error("pdfkit did not finish the seal PDF synchronously");
  return pdf;
}

function attach(
  doc: Doc,
  data: Buffer,
  name: string,
  type: string,
  description: string,
  relationship: "Source" | "Supplement",
  date: Date,
) {
  // `relationship` (the PDF 2.0 /AFRelationship) is supported by pdfkit but missing from its types.
  const options: PDFKit.Mixins.PDFAttachmentOptions & { relationship: string } = {
    name,
    type,
    description,
    relationship,
    creationDate: date,
    modifiedDate: date,
  };
  doc.file(data, options);
}

function drawFrame(doc: Doc) {
  doc.save();
  doc
    .lineWidth(2)
    .strokeColor(NAVY)
    .rect(22, 22, PAGE_W - 44, PAGE_H - 44)
    .stroke();
  doc
    .lineWidth(0.75)
    .strokeColor(GOLD)
    .rect(29, 29, PAGE_W - 58, PAGE_H - 58)
    .stroke();
  doc.restore();
}

function rule(doc: Doc, y: number) {
  doc
    .save()
    .lineWidth(0.6)
    .strokeColor(GOLD)
    .moveTo(LEFT, y)
    .lineTo(LEFT + WIDTH, y)
    .stroke()
    .restore();
}

/** The seal mark: a scalloped gold rosette around a navy disc with a check mark. */
function drawBadge(doc: Doc, cx: number, cy: number, r: number) {
  const lobes = 30;
  const inner = r * 0.9;
  const at = (radius: number, angle: number): [number, number] => [
    cx + radius * Math.cos(angle),
    cy + radius * Math.sin(angle),
  ];
  doc.save();
  doc.moveTo(...at(inner, 0));
  for (let i = 0; i < lobes; i++) {
    const a0 = (2 * Math.PI * i) / lobes;
    const a1 = (2 * Math.PI * (i + 1)) / lobes;
    const [qx, qy] = at(r * 1.06, (a0 + a1) / 2);
    doc.quadraticCurveTo(qx, qy, ...at(inner, a1));
  }
  doc.closePath().fill(GOLD);
  doc.circle(cx, cy, r * 0.8).fill(NAVY);
  doc
    .lineWidth(0.8)
    .circle(cx, cy, r * 0.72)
    .stroke(GOLD_LIGHT);
  // The check mark.
  doc
    .lineWidth(r * 0.1)
    .lineCap("round")
    .lineJoin("round")
    .moveTo(cx - r * 0.22, cy + r * 0.02)
    .lineTo(cx - r * 0.06, cy + r * 0.17)
    .lineTo(cx + r * 0.25, cy - r * 0.15)
    .stroke("#ffffff");
  doc.restore();
  const w = r * 1.3;
  fitText(
    doc,
    "IoT Seal",
    { x: cx - w / 2, y: cy - r * 0.5, w, h: 12 },
    { font: "Helvetica-Bold", max: 10, min: 10, color: "#ffffff", align: "center" },
  );
  fitText(
    doc,
    "CERTIFIED",
    { x: cx - w / 2, y: cy + r * 0.3, w, h: 10 },
    { font: "Helvetica-Bold", max: 7, min: 7, color: GOLD_LIGHT, align: "center" },
  );
}

/** The QR code as filled vector squares (runs of dark modules merged), with a 4-module quiet zone. */
function drawQr(doc: Doc, text: string, x: number, y: number, size: number) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = modules.size;
  const m = size / (n + 8);
  doc.save().rect(x, y, size, size).fill("#ffffff");
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!modules.get(row, col)) continue;
      const start = col;
      while (col + 1 < n && modules.get(row, col + 1)) col++;
      doc.rect(x + (4 + start) * m, y + (4 + row) * m, (col - start + 1) * m, m);
    }
  }
  doc.fill("#000000").restore();
}

function label(doc: Doc, text: string, box: Box, align: TextStyle["align"] = "left") {
  fitText(doc, text, box, { font: "Helvetica", max: 8.5, min: 6, color: MUTED, align });
}

/** A fact: its label, then its value shrunk to fit the box. Label and value are drawn in this order, as the page check reads them. */
function field(doc: Doc, f: { label: string; value: string }, box: Box, max = 12.5) {
  label(doc, f.label, { x: box.x, y: box.y, w: box.w, h: 12 });
  fitText(
    doc,
    f.value,
    { x: box.x, y: box.y + 13, w: box.w, h: box.h },
    { font: "Helvetica-Bold", max, min: 7, color: INK },
  );
}

function centered(doc: Doc, text: string, y: number, style: TextStyle) {
  fitText(doc, text, { x: LEFT, y, w: WIDTH, h: style.max * 2.5 }, { ...style, align: "center" });
}

/**
 * Draws text inside a box at the largest size (in half points, from max down to min) at which
 * it wraps into the box's height. Beyond min it is cut off with an ellipsis rather than
 * overflowing (the portal's input limits keep real names well within min).
 */
function fitText(doc: Doc, text: string, box: Box, style: TextStyle) {
  const options = { width: box.w, lineGap: 0, align: style.align ?? "left" };
  doc.font(style.font);
  let size = style.max;
  while (size > style.min && doc.fontSize(size).heightOfString(text, options) > box.h) size -= 0.5;
  const slack = style.middle ? Math.max(0, box.h - doc.fontSize(size).heightOfString(text, options)) : 0;
  doc
    .fontSize(size)
    .fillColor(style.color ?? INK)
    .text(text, box.x, box.y + slack / 2, { ...options, height: box.h - slack / 2, ellipsis: true });
}
