import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, HeadersFunction } from "@remix-run/node";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { FORM_OVERHEAD_BYTES, isBodyTooLarge, readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { FieldError, fieldAria, LiveRegion } from "../components/Field";
import { SummaryBar } from "../components/BulkSummary";
import { attempt, failure } from "../platform/http/action-errors.server";
import { countOf, formatBytes, formatDateTime } from "../platform/format";
import { BULK_MAX_BYTES, BULK_MAX_ROWS, BULK_TOO_LARGE } from "../features/retail/bulk-csv.server";
import { requirePermission } from "../features/accounts/session.server";
import { BULK_RUNS_KEPT, listBulkChecks, runBulkCheck } from "../features/retail/bulk-checks.server";
import { bulkFileProblem, CHOOSE_CSV, SESSION_ENDED } from "../features/retail/forms";
import { getEnv } from "../platform/env.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Bulk seal check — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  return {
    runs: listBulkChecks(user),
    runsKept: BULK_RUNS_KEPT,
    rowsPerHour: getEnv().bulkRowsPerHour,
    maxRows: BULK_MAX_ROWS,
    maxBytes: BULK_MAX_BYTES,
    maxSize: formatBytes(BULK_MAX_BYTES),
  };
}

/** Without JavaScript the form posts here; with it, the page uploads to ./upload to show progress. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  let form: FormData;
  try {
    form = await readForm(request, { limit: BULK_MAX_BYTES + FORM_OVERHEAD_BYTES });
  } catch (e) {
    if (isBodyTooLarge(e)) return failure(BULK_TOO_LARGE, {}, undefined, 413);
    throw e;
  }
  const file = form.get("file");
  const problem = bulkFileProblem(file instanceof File ? file : null, BULK_MAX_BYTES);
  if (problem || !(file instanceof File))
    return failure(problem ?? CHOOSE_CSV, {
      file: problem === CHOOSE_CSV || !problem ? "Choose a CSV file." : problem,
    });
  // The file's bytes: the service decodes them (UTF-8, UTF-16, else Windows-1252 with a note; a workbook is refused).
  const bytes = new Uint8Array(await file.arrayBuffer());
  const result = await attempt(() => runBulkCheck(user, { fileName: file.name, bytes }));
  if (!result.ok) return result.response;
  // A note on how the file was read is shown here, with the link to the result, before the result itself.
  if (result.value.note) return { ok: true as const, notice: result.value.note, runId: result.value.id };
  throw redirect(`/retailer/verify/bulk/${result.value.id}`);
}

export default function BulkCheck() {
  const { runs, runsKept, rowsPerHour, maxRows, maxBytes, maxSize } = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const nav = useNavigation();
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ phase: "upload" | "check"; percent: number; rows: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sessionEnded, setSessionEnded] = useState(false);
  // A check answered with a note on how the file was read (with script): shown before opening the result.
  const [checked, setChecked] = useState<{ id: string; note: string } | null>(null);

  // With JavaScript: the file's size checked first (the limit the server applies), then uploaded with
  // a progress bar, then the checking phase shown until the answer arrives.
  async function submit(event: FormEvent<HTMLFormElement>) {
    const file = input.current?.files?.[0];
    if (!file || typeof XMLHttpRequest === "undefined") return;
    event.preventDefault();
    setSessionEnded(false);
    setChecked(null);
    const problem = bulkFileProblem(file, maxBytes);
    setError(problem);
    if (problem) return;
    const rows = Math.max(0, (await file.text()).split(/\r?\n/).filter((l) => l.trim()).length - 1);
    setProgress({ phase: "upload", percent: 0, rows });
    const body = new FormData();
    body.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/retailer/verify/bulk/upload");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) =>
      e.lengthComputable && setProgress({ phase: "upload", percent: Math.round((e.loaded / e.total) * 100), rows });
    xhr.upload.onload = () => setProgress({ phase: "check", percent: 100, rows });
    xhr.onload = () => {
      const answer = xhr.response as { id?: string; note?: string | null; message?: string } | null;
      if (xhr.status === 200 && answer?.id && answer.note) {
        setProgress(null);
        // The run was stored outside Remix's forms: the list of checks below is loaded again to show it.
        revalidator.revalidate();
        return setChecked({ id: answer.id, note: answer.note });
      }
      if (xhr.status === 200 && answer?.id) return navigate(`/retailer/verify/bulk/${answer.id}`);
      setProgress(null);
      // 401: the session ended while the page was open (also said if a redirect to the login page was followed).
      const ended = xhr.status === 401 || new URL(xhr.responseURL || "/", "http://x").pathname === "/login";
      setSessionEnded(ended);
      setError(ended ? SESSION_ENDED : (answer?.message ?? `The check failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => {
      setProgress(null);
      setError("The upload failed: check your connection and try again.");
    };
    xhr.send(body);
  }

  const formError = error ?? (acted && !acted.ok ? acted.formError : null);
  // The file's problem is the file input's: marked, tied to it, and the keyboard taken there to choose
  // again (WCAG 3.3.1). A session that ended is not the file's.
  const fileError = formError && !sessionEnded ? formError : undefined;
  useEffect(() => {
    if (fileError) input.current?.focus();
  }, [fileError]);
  const done = checked ?? (acted?.ok ? { id: acted.runId, note: acted.notice } : null);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Retail buyer</p>
          <h1>Check a whole CSV of seals</h1>
          <p>
            Upload your stock file with a column named <code>gtin</code> (or <code>ean</code>, <code>upc</code>,{" "}
            <code>barcode</code>: the number under the barcode) or <code>serial</code> (the seal&apos;s serial), or
            both, up to {maxRows.toLocaleString("en")} rows, {maxSize}. Each row gets the product&apos;s current seal
            and its status; your other columns, such as your own SKU, and your line numbers are kept.{" "}
            <Link to="/verify">Check one seal</Link>.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload</h2>
        <Form method="post" encType="multipart/form-data" onSubmit={submit}>
          {sessionEnded && formError ? (
            <div className="alert alert--error" role="alert">
              {formError}
            </div>
          ) : null}
          {done && !formError ? (
            <div className="alert alert--warn" role="status" data-testid="bulk-read-note">
              Checked. {done.note} <Link to={`/retailer/verify/bulk/${done.id}`}>Open the result</Link>.
            </div>
          ) : null}
          {sessionEnded ? (
            <p>
              <a href="/login?redirectTo=%2Fretailer%2Fverify%2Fbulk">Log in again</a>, then choose the file once more.
            </p>
          ) : null}
          <div className="field">
            <label htmlFor="file">CSV file</label>
            <p className="field__hint" id="file-hint">
              For example: <code>sku,gtin,description</code> then one line per product.
            </p>
            <input
              ref={input}
              id="file"
              name="file"
              type="file"
              accept=".csv,text/csv"
              required
              {...fieldAria("file", { hint: true, error: fileError })}
            />
            <FieldError id="file" message={fileError} />
          </div>
          <SubmitButton className="button" busy={progress !== null || nav.state !== "idle"}>
            Check all
          </SubmitButton>
        </Form>
        {/* On the page before the upload starts, so that what comes into it is announced; the percentage is
            shown, not announced at each step. */}
        <LiveRegion>
          {progress ? (
            <div className="stack" data-testid="bulk-progress">
              <label htmlFor="bulk-progress">
                {progress.phase === "upload" ? (
                  <>
                    Uploading {countOf(progress.rows, "row")}… <span aria-hidden="true">{progress.percent}%</span>
                  </>
                ) : (
                  `Checking about ${countOf(progress.rows, "row")}… (a large file takes some seconds; the page opens the result when it is ready)`
                )}
              </label>
              {progress.phase === "upload" ? (
                <progress id="bulk-progress" max={100} value={progress.percent} />
              ) : (
                <progress id="bulk-progress" />
              )}
            </div>
          ) : null}
        </LiveRegion>
      </section>
      <section className="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Your organisation's checks</h2>
        <p className="small muted" data-testid="runs-kept">
          The newest {runsKept} checks are kept: storing a new one deletes the oldest beyond them, so download a result
          you want to keep. Bulk checks may use {rowsPerHour.toLocaleString("en")} rows an hour for your organisation
          (with its API tokens), refilled evenly over the hour.
        </p>
        {runs.length === 0 ? (
          <p className="muted">No bulk checks yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">File</th>
                  <th scope="col">Rows</th>
                  <th scope="col">Summary</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id}>
                    <td data-label="When">
                      <Link to={`/retailer/verify/bulk/${r.id}`}>{formatDateTime(r.createdAt)}</Link>
                    </td>
                    <td data-label="File">{r.fileName}</td>
                    <td data-label="Rows">{r.rowCount.toLocaleString("en")}</td>
                    <td className="summary-cell" data-label="Summary">
                      <SummaryBar summary={r.summary} total={r.rowCount} compact />
                    </td>
                    <td data-label="By">{r.by}</td>
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
