import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { FORM_OVERHEAD_BYTES, isBodyTooLarge, readForm } from "../platform/http/request-body.server";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FieldError, fieldAria } from "../components/Field";
import { SignedFacts, VerdictBadge, VerdictBanner } from "../components/SealVerdict";
import {
  CREDENTIAL_MAX_CHARS,
  VERIFY_MAX_BYTES,
  VerifyInputError,
  verifyCredentialText,
  preparePdfCheck,
  verifyUploadedFile,
  verifySerial,
  type VerifyAnswer,
} from "../features/trust/verify.server";
import { formatBytes } from "../platform/format";
import { chosenFileProblem } from "../platform/forms";
import { nowMs } from "../platform/clock.server";
import { validityEndedWhileSuspended } from "../features/trust/domain/verdict";
import { PolicyResults } from "../components/PolicyResults";
import type { PolicyResult } from "../features/retail/domain/policy";
import { getOptionalUser } from "../features/accounts/session.server";
import { policyResultsFor } from "../features/retail/policies.server";
import { checklistLabelFor, levelTitleFor } from "../features/catalogue/checklists.server";
import { updateRequiredBySerial, validSealOfFirmware } from "../features/findings/advisories.server";
import type { UpdateRequired as UpdateRequiredFacts } from "../features/findings/domain/update-required";
import { UpdateRequired } from "../components/UpdateRequired";
import { AddressElsewhere } from "../components/AddressElsewhere";
import { sealPageForBarcode } from "../features/public/gs1-resolver.server";
import { SubmitButton } from "../components/SubmitButton";
import { useFocusWhenItArrives } from "../components/focus-after-submission";
import { pastedAddressElsewhere, pastedSerial } from "../features/trust/domain/serial";
import { getEnv } from "../platform/env.server";

/**
 * Whether the seal's certified firmware needs an update (a genuine seal found; null otherwise), and
 * whether the firmware to install has a valid seal of its own (only then is it called certified).
 */
function updateFor(a: VerifyAnswer): UpdateRequiredFacts | null {
  if (!a.serial || a.status === "not_found" || a.status === "forged") return null;
  const u = updateRequiredBySerial([a.serial]).get(a.serial);
  return u ? { ...u, fixedInSeal: validSealOfFirmware(a.serial, u.fixedIn) } : null;
}

export const meta: MetaFunction = () => [{ title: "Verify a seal — IoT Seal" }];

/**
 * The answer with its checklist version in words (no slug; "-r1" explained), when it names one, and
 * whether a suspended seal's validity has ended too (its banner then does not say to wait).
 */
function labelled(
  a: VerifyAnswer,
): VerifyAnswer & { checklistLabel: string | null; levelTitle: string | null; validityEnded: boolean } {
  return {
    ...a,
    checklistLabel: a.subject ? checklistLabelFor(a.subject.checklist) : null,
    levelTitle: a.subject ? levelTitleFor(a.subject.checklist, a.subject.level) : null,
    validityEnded: a.credential
      ? validityEndedWhileSuspended(a.status, a.credential.validUntil, new Date(nowMs()))
      : false,
  };
}

const TOO_LARGE = `The file is larger than ${formatBytes(VERIFY_MAX_BYTES)}; a seal certificate is far smaller.`;

const SERIAL_TOO_LONG = "That is too long for a serial (at most 80 characters): check what was typed or scanned.";
const SERIAL_NOT_TEXT = "Enter the serial once, as printed on the label (such as IOTS-7KQ2-M9XD).";
/** ?serial=: a blank one (empty, spaces) is no question at all: the empty form, not an error. */
const serialQuery = z.object({
  serial: z
    .string({ error: SERIAL_NOT_TEXT })
    .trim()
    .max(80, { error: SERIAL_TOO_LONG })
    .optional()
    .transform((v) => v || undefined),
});

/** By serial is a GET (a shareable address, what a scanned or typed serial opens). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const q = serialQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  // A pasted seal address (what a QR code reader shows), a typographic dash, a closing full stop: read as meant.
  const serial = q.success && q.data.serial ? pastedSerial(q.data.serial) || undefined : undefined;
  // Only an over-long serial fails (a blank one is no question): said on the field, never a silent empty page.
  const serialError = q.success ? null : (q.error.issues[0]?.message ?? SERIAL_TOO_LONG);
  // A seal's or product's address on another website (a look-alike a counterfeit label's QR code opens): said beside
  // the answer, which is the issuer's about the serial, never about that website's page.
  const portal = getEnv().baseUrl;
  const elsewhere = q.success && q.data.serial ? pastedAddressElsewhere(q.data.serial, portal) : null;
  const pastedFrom = elsewhere ? { host: elsewhere, portalHost: new URL(portal).host } : null;
  // A check (by serial here, or an upload below) counts against the address's limit; the empty form does not.
  if (serial) requireWithinPageLimit(context);
  // The empty form, where a certificate may be uploaded next: the PDF reader starts meanwhile.
  else preparePdfCheck();
  // The barcode number instead of a serial: the product's current seal's page, as its GS1 Digital Link answers it.
  const barcode = serial ? await sealPageForBarcode(serial) : null;
  // A product's address on another website is answered here with its current seal, the warning beside it.
  if (barcode && "path" in barcode && !pastedFrom) throw redirect(barcode.path);
  if (barcode && "problem" in barcode)
    return {
      serial: serial ?? "",
      serialError: barcode.problem,
      answer: null,
      policies: null,
      updateRequired: null,
      by: null,
      pastedFrom: null,
    };
  const checked = barcode && "path" in barcode ? pastedSerial(barcode.path) : serial;
  const answer = checked ? labelled(await verifySerial(checked)) : null;
  // A logged-in retail buyer also sees its organisation's acceptance policies applied.
  const policies = answer ? policyResultsFor(await getOptionalUser(request, context), answer) : null;
  const updateRequired = answer ? updateFor(answer) : null;
  return {
    serial: serial ?? "",
    serialError,
    answer,
    policies,
    updateRequired,
    by: serial ? "serial" : null,
    pastedFrom,
  };
}

const credentialForm = z.object({
  credential: z
    .string()
    .trim()
    .min(1, "Paste the credential (the text of seal.vc.jwt).")
    .max(CREDENTIAL_MAX_CHARS, "That is far longer than any seal credential."),
  serial: z.string().trim().max(80).optional(),
});

type ActionResult =
  | {
      answer: VerifyAnswer;
      by: "pdf" | "credential" | "credential-file";
      policies: PolicyResult[] | null;
      updateRequired: UpdateRequiredFacts | null;
    }
  | { error: string; field: "pdf" | "credential"; values?: { credential: string } };

export async function action({ request, context }: ActionFunctionArgs) {
  requireWithinPageLimit(context);
  let form: FormData;
  try {
    // Bounded while it streams: a chunked body is refused at the limit, not read whole.
    form = await readForm(request, { limit: VERIFY_MAX_BYTES + FORM_OVERHEAD_BYTES });
  } catch (e) {
    if (isBodyTooLarge(e))
      return data<ActionResult>({ error: TOO_LARGE, field: "pdf" }, { status: 413, headers: { Connection: "close" } });
    throw e;
  }
  const intent = form.get("intent");
  try {
    if (intent === "pdf") {
      const file = form.get("pdf");
      const problem = chosenFileProblem(file instanceof File ? file : null, "Choose the seal's PDF file to upload.");
      if (problem || !(file instanceof File)) return data<ActionResult>({ error: problem!, field: "pdf" }, 400);
      if (file.size > VERIFY_MAX_BYTES) return data<ActionResult>({ error: TOO_LARGE, field: "pdf" }, 413);
      const checked = await verifyUploadedFile(new Uint8Array(await file.arrayBuffer()));
      const answer = labelled(checked.answer);
      return {
        answer,
        by: checked.by,
        policies: policyResultsFor(await getOptionalUser(request, context), answer),
        updateRequired: updateFor(answer),
      } satisfies ActionResult;
    }
    const parsed = credentialForm.safeParse({
      credential: form.get("credential") ?? "",
      serial: form.get("serial") || undefined,
    });
    if (!parsed.success)
      return data<ActionResult>(
        {
          error: parsed.error.issues[0].message,
          field: "credential",
          values: { credential: String(form.get("credential") ?? "") },
        },
        400,
      );
    const answer = labelled(await verifyCredentialText(parsed.data.credential, parsed.data.serial));
    return {
      answer,
      by: "credential",
      policies: policyResultsFor(await getOptionalUser(request, context), answer),
      updateRequired: updateFor(answer),
    } satisfies ActionResult;
  } catch (e) {
    if (e instanceof VerifyInputError)
      return data<ActionResult>(
        {
          error: e.message,
          field: intent === "pdf" ? "pdf" : "credential",
          values: { credential: String(form.get("credential") ?? "") },
        },
        400,
      );
    throw e;
  }
}

const BY_LABEL = {
  serial: "by its serial",
  pdf: "from the uploaded PDF",
  "credential-file": "from the uploaded credential file",
  credential: "from the pasted credential",
} as const;

export default function VerifyPage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state !== "idle";
  const result =
    acted && "answer" in acted
      ? acted
      : loaded.answer
        ? {
            answer: loaded.answer,
            by: "serial" as const,
            policies: loaded.policies,
            updateRequired: loaded.updateRequired,
            pastedFrom: loaded.pastedFrom,
          }
        : null;
  const failed = acted && "error" in acted ? acted : null;
  // The verdict comes above the forms: once a check's answer is in, the focus goes to its heading, so that a screen
  // reader says it and the keyboard goes on from there (WCAG 4.1.3).
  // Keyed by the check (a checked PDF or credential, or the serial asked for), not by the data's identity: the loader's
  // data is new after any post, and an error in the PDF form must not take the focus to an older verdict.
  useFocusWhenItArrives(acted && "answer" in acted ? acted : loaded.answer ? loaded.serial : null, "verify-verdict");
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Anyone can check a seal</p>
          <h1>Verify a seal</h1>
          <p>
            Type the serial from the label, upload the PDF certificate, or paste the credential. The answer comes from
            the issuer's signature and the seal's live status, not from what a page or a file claims.
          </p>
        </div>
      </div>

      {result ? (
        <VerifyResult
          answer={result.answer}
          by={BY_LABEL[result.by]}
          policies={result.policies}
          updateRequired={result.updateRequired}
          pastedFrom={"pastedFrom" in result ? result.pastedFrom : null}
        />
      ) : null}

      <div className="grid grid--3">
        <section className="card" aria-labelledby="by-serial">
          <h2 id="by-serial">By serial</h2>
          <Form method="get" replace>
            <div className={loaded.serialError ? "field field--error" : "field"}>
              <label htmlFor="serial">Seal serial</label>
              <p className="field__hint" id="serial-hint">
                Like IOTS-7KQ2-M9XD; upper or lower case, with or without hyphens. Or the barcode number (GTIN) under
                the product&apos;s barcode: its current seal.
              </p>
              <input
                id="serial"
                name="serial"
                type="text"
                defaultValue={loaded.serial}
                autoComplete="off"
                spellCheck={false}
                maxLength={80}
                aria-describedby={loaded.serialError ? "serial-hint serial-error" : "serial-hint"}
                aria-invalid={loaded.serialError ? true : undefined}
                required
              />
              {loaded.serialError ? (
                <p className="field__error" id="serial-error" role="alert">
                  {loaded.serialError}
                </p>
              ) : null}
            </div>
            <SubmitButton className="button" busy={busy}>
              Check serial
            </SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="by-pdf">
          <h2 id="by-pdf">Upload the PDF</h2>
          <Form method="post" encType="multipart/form-data" replace>
            <input type="hidden" name="intent" value="pdf" />
            <div className={failed?.field === "pdf" ? "field field--error" : "field"}>
              <label htmlFor="pdf">Seal certificate (PDF)</label>
              <p className="field__hint" id="pdf-hint">
                The credential and log proof attached inside the PDF are checked, and the page is compared with what was
                signed. The credential file alone (seal.vc.jwt) is taken too.
              </p>
              <input
                id="pdf"
                name="pdf"
                type="file"
                accept="application/pdf,.pdf,.jwt"
                {...fieldAria("pdf", { hint: true, error: failed?.field === "pdf" ? failed.error : undefined })}
                required
              />
              <FieldError id="pdf" message={failed?.field === "pdf" ? failed.error : undefined} />
            </div>
            <SubmitButton className="button" busy={busy}>
              Check PDF
            </SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="by-credential">
          <h2 id="by-credential">Paste the credential</h2>
          <Form method="post" replace>
            <input type="hidden" name="intent" value="credential" />
            <div className={failed?.field === "credential" ? "field field--error" : "field"}>
              <label htmlFor="credential">Credential (seal.vc.jwt)</label>
              <textarea
                id="credential"
                name="credential"
                rows={5}
                className="mono"
                spellCheck={false}
                defaultValue={failed?.values?.credential ?? ""}
                {...fieldAria("credential", { error: failed?.field === "credential" ? failed.error : undefined })}
                required
              />
              <FieldError id="credential" message={failed?.field === "credential" ? failed.error : undefined} />
            </div>
            <SubmitButton className="button" busy={busy}>
              Check credential
            </SubmitButton>
          </Form>
        </section>
      </div>
      <p className="small muted">
        Machines can ask the same questions: <code>GET /api/v1/seals/&lt;serial&gt;</code>,{" "}
        <code>POST /api/v1/verify</code> (a PDF or a credential) and <code>POST /api/v1/verify/bulk</code> (a CSV with a
        gtin or serial column). Offline: <code>npm run verify-seal -- seal.pdf</code>.
      </p>
    </>
  );
}

/**
 * A file that is not the certificate as issued, carrying the issuer's own credential: the file stays "not genuine"
 * (its page may show anything), and the seal inside it is named with its live status, for a certificate that a mail
 * program or a PDF viewer only re-saved.
 */
function CredentialInside({
  inside,
  product,
}: {
  inside: NonNullable<VerifyAnswer["credentialInside"]>;
  product?: string;
}) {
  return (
    <div className="alert alert--info" data-testid="credential-inside">
      <p>
        The credential inside this file is the issuer&apos;s own record of seal{" "}
        <Link to={`/s/${inside.serial}`}>{inside.serial}</Link>
        {product ? ` (${product})` : ""}, which is <VerdictBadge verdict={inside.verdict} /> now
        {inside.reason ? `: ${inside.reason}` : "."}
      </p>
      <p className="small">
        If the file was only saved again (by a mail program or a PDF viewer), rely on that seal&apos;s page, not on this
        file. If the file&apos;s page shows another product or other facts than the seal, the file is a forgery.
      </p>
    </div>
  );
}

function VerifyResult({
  answer: a,
  by,
  policies,
  updateRequired,
  pastedFrom,
}: {
  answer: VerifyAnswer & { checklistLabel?: string | null; levelTitle?: string | null; validityEnded?: boolean };
  by: string;
  policies: PolicyResult[] | null;
  updateRequired: UpdateRequiredFacts | null;
  pastedFrom?: { host: string; portalHost: string } | null;
}) {
  return (
    <section aria-label="Verification result" data-testid="verify-result" className="verify-result">
      <VerdictBanner
        verdict={a.status}
        serial={a.serial}
        reason={a.reason}
        validityEnded={a.validityEnded}
        headingId="verify-verdict"
        level={2}
        // What a forged credential claims is not named as the seal's product.
        subject={a.status === "forged" ? null : a.subject?.product.name}
      >
        {pastedFrom ? <AddressElsewhere {...pastedFrom} /> : null}
        {a.credentialInside ? <CredentialInside inside={a.credentialInside} product={a.subject?.product.name} /> : null}
      </VerdictBanner>
      <UpdateRequired update={updateRequired} firmware={a.subject?.firmwareVersion} verdict={a.status} />
      {policies ? (
        <section className="card" aria-labelledby="policies-title">
          <h2 id="policies-title">Your acceptance policies</h2>
          <PolicyResults results={policies} />
        </section>
      ) : null}
      <div className="grid grid--2">
        {a.subject ? (
          <section className="card" aria-labelledby="signed-title">
            <h2 id="signed-title">
              {a.status !== "forged"
                ? "What was certified (signed)"
                : a.credentialInside
                  ? `What seal ${a.credentialInside.serial} certifies (signed; not what the file's page shows)`
                  : "What the credential claims (do not trust it)"}
            </h2>
            <SignedFacts
              subject={a.subject}
              issuer={a.credential?.issuer}
              validFrom={a.credential?.validFrom}
              validUntil={a.credential?.validUntil}
              checklistLabel={a.checklistLabel ?? undefined}
              levelTitle={a.levelTitle ?? undefined}
            />
            {a.serial && a.status !== "forged" && a.status !== "not_found" ? (
              <p>
                <Link to={`/s/${a.serial}`}>Open the seal's public page</Link>
              </p>
            ) : null}
          </section>
        ) : null}
        <section className="card" aria-labelledby="checks-title">
          <h2 id="checks-title">What was checked {by}</h2>
          {a.checks.length ? (
            <ul className="checks">
              {a.checks.map((c) => (
                <li key={c.label} className={c.ok ? "check check--ok" : "check check--bad"}>
                  <span aria-hidden="true">{c.ok ? "✓" : "✗"}</span> <strong>{c.label}</strong>
                  {c.ok ? "" : c.detail ? " —" : " — failed"}
                  {c.detail ? <span className={c.ok ? "muted small" : "small"}> {c.detail}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Nothing could be checked: there is no seal to check.</p>
          )}
          {a.supersededBy ? (
            <p>
              Replaced by <Link to={`/s/${a.supersededBy}`}>{a.supersededBy}</Link>.
            </p>
          ) : null}
        </section>
      </div>
    </section>
  );
}
