import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "../components/Field";
import { formatBytes, formatDate, formatDateTime } from "../platform/format";
import { failure, serviceFailure } from "../platform/http/action-errors.server";
import { FORM_OVERHEAD_BYTES, isBodyTooLarge, readForm } from "../platform/http/request-body.server";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { importCsafAdvisory, listImportedAdvisories } from "../features/findings/csaf-import.server";
import { CSAF_IMPORT_MAX_BYTES } from "../features/findings/domain/csaf-import";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Third-party advisories (CSAF) — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  return { advisories: serviceOrThrow(() => listImportedAdvisories(user)) };
}

/** An upload (the file field) or a paste (the text field): one CSAF 2.0 JSON document, at most 2 MiB. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const tooLarge = () =>
    failure(
      `The document is larger than ${formatBytes(CSAF_IMPORT_MAX_BYTES)}.`,
      { document: "Too large." },
      undefined,
      413,
    );
  let form: FormData;
  try {
    form = await readForm(request, { limit: 2 * CSAF_IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES });
  } catch (e) {
    if (isBodyTooLarge(e)) return tooLarge();
    throw e;
  }
  const file = form.get("file");
  const pasted = form.get("document");
  let text = typeof pasted === "string" ? pasted : "";
  // A refused paste comes back in its field (without JavaScript the answer is a new page): as posted, which
  // the body limit above bounds. A file's text is not put there: it was not typed, and the file is chosen again.
  const values = { document: text };
  if (file instanceof File && file.size > 0) {
    if (file.size > CSAF_IMPORT_MAX_BYTES) return tooLarge();
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      return failure(
        "The file is not UTF-8 text: a CSAF document is a JSON file.",
        { document: "Not a text file." },
        values,
      );
    }
  }
  try {
    return { ok: true as const, result: importCsafAdvisory(user, text) };
  } catch (e) {
    return serviceFailure(e, values);
  }
}

function outcomeText(r: ReturnType<typeof importCsafAdvisory>): string {
  const purls = `${r.purls.length} package URL${r.purls.length === 1 ? "" : "s"} of affected products`;
  if (r.outcome === "unchanged")
    return `${r.trackingId} version ${r.storedVersion} is already imported; version ${r.trackingVersion} is not newer, so nothing changed.`;
  const verb = r.outcome === "imported" ? "Imported" : "Updated to";
  const truncated = r.truncated
    ? ` The document names ${r.truncated} more package URL${r.truncated === 1 ? "" : "s"} past the first ${r.purls.length}, which ${r.truncated === 1 ? "is" : "are"} not matched.`
    : "";
  return `${verb} ${r.trackingId} version ${r.trackingVersion}: ${purls}, matched against the SBOMs of certified firmware.${truncated}`;
}

/** " 2 purl values are not a valid package URL and were left out: a, b." (the advisory's page lists them too). */
function invalidText(r: ReturnType<typeof importCsafAdvisory>): string {
  const n = r.invalidCount;
  if (!n) return "";
  const shown = n > r.invalidPurls.length ? ` (the first ${r.invalidPurls.length})` : "";
  return ` ${n} purl value${n === 1 ? " is" : "s are"} not a valid package URL and ${n === 1 ? "was" : "were"} left out${shown}: ${r.invalidPurls.join(", ")}.`;
}

export default function ImportedAdvisories() {
  const { advisories } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const result = a && a.ok ? a.result : null;
  const error = a && !a.ok ? a : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Vulnerability reports</p>
          <h1>Third-party advisories (CSAF)</h1>
          <p>
            Import a CSAF 2.0 advisory from a software maker (for example an OpenSSL advisory). The package URLs of its
            affected products are matched against the SBOMs of certified firmware, now and whenever a seal is issued
            later: the assessors of each match get a &ldquo;possibly affected&rdquo; task. A version named as affected
            is an exact match; a range or a package URL without a version matches the package, and the task asks to
            check the version. Import a newer version of the same advisory to update it.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="import-title">
        <h2 id="import-title">Import a CSAF 2.0 document</h2>
        {result ? (
          <p className="alert alert--ok" role="status" data-testid="import-outcome">
            {outcomeText(result)} <Link to={`/assessor/advisories/${result.id}`}>Open the advisory</Link>
            {invalidText(result)}
          </p>
        ) : null}
        <FormError message={error?.formError} />
        {/* A new form after each import (keyed by it): the file and the pasted text are cleared. */}
        <Form
          key={result ? `${result.id}@${result.trackingVersion}` : "import"}
          method="post"
          encType="multipart/form-data"
          className="stack"
          noValidate
        >
          <div className={error?.fieldErrors.document ? "field field--error" : "field"}>
            <label htmlFor="csaf-file">CSAF JSON file</label>
            <p className="field__hint" id="csaf-file-hint">
              At most {formatBytes(CSAF_IMPORT_MAX_BYTES)}. Or paste the document below.
            </p>
            <input
              id="csaf-file"
              name="file"
              type="file"
              accept=".json,application/json"
              aria-describedby="csaf-file-hint"
            />
          </div>
          <div className={error?.fieldErrors.document ? "field field--error" : "field"}>
            <label htmlFor="csaf-document">Or paste the document (JSON)</label>
            <textarea
              id="csaf-document"
              name="document"
              rows={6}
              spellCheck={false}
              defaultValue={error?.values?.document ?? ""}
              aria-invalid={error?.fieldErrors.document ? true : undefined}
              aria-describedby={error?.fieldErrors.document ? "csaf-document-error" : undefined}
            />
            {error?.fieldErrors.document ? (
              <p className="field__error" id="csaf-document-error" role="alert">
                {error.fieldErrors.document}
              </p>
            ) : null}
          </div>
          <SubmitButton className="button" busy={busy}>
            Import the advisory
          </SubmitButton>
        </Form>
      </section>
      <section className="card" aria-labelledby="imported-title">
        <h2 id="imported-title">Imported advisories</h2>
        {advisories.length === 0 ? (
          <p className="muted">No advisory has been imported yet.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="imported-advisories">
              <thead>
                <tr>
                  <th scope="col">Advisory</th>
                  <th scope="col">Publisher</th>
                  <th scope="col">Version</th>
                  <th scope="col">Affected packages</th>
                  <th scope="col">Received</th>
                </tr>
              </thead>
              <tbody>
                {advisories.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/assessor/advisories/${r.id}`}>{r.trackingId}</Link>
                      <div className="small muted">{r.title}</div>
                    </td>
                    <td>{r.publisherName}</td>
                    <td>{r.trackingVersion}</td>
                    <td>{r.purls.length}</td>
                    <td title={formatDateTime(r.receivedAt)}>{formatDate(r.receivedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
