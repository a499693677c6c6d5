import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { FORM_OVERHEAD_BYTES, isBodyTooLarge, readForm } from "../platform/http/request-body.server";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { WatchedAdvisories } from "../components/Advisories";
import { StandingCounts, WatchEventList } from "../components/Dashboards";
import { PolicyResults } from "../components/PolicyResults";
import { Field, FormError, LiveRegion, Notice } from "../components/Field";
import { ValidUntilCell, VerdictBadge } from "../components/SealVerdict";
import { UpdateRequired } from "../components/UpdateRequired";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { decodeCsvBytes } from "../platform/csv-decode.server";
import { formatBytes, formatDateTime } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { watchedProductAdvisories } from "../features/findings/advisories.server";
import {
  unwatch,
  watchByGtin,
  watchBySerial,
  watchFromCsv,
  watchlistView,
  type CsvWatchResult,
} from "../features/retail/watchlist.server";
import { CHOOSE_CSV, WATCHLIST_CSV_MAX_BYTES, watchGtinInput, watchInput } from "../features/retail/forms";
import { chosenFileProblem } from "../platform/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Watchlist — IoT Seal" }];

/** The view a visit showed, carried in the URL by the page's forms: `since` (its cursor) and `visit` (when that last visit was, ms). */
const cursor = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number)
  .optional()
  .catch(undefined);
const viewQuery = z.object({ since: cursor, visit: cursor });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  const q = viewQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  // A plain visit marks everything listed as seen: the next visit shows only newer changes. The page
  // after one of its forms was sent (a revalidation, or the page rendered after a post without
  // JavaScript) is loaded at the form's URL, which carries the cursor the visit showed: the same
  // changes stay listed, nothing is marked again.
  const view = await watchlistView(
    user,
    q.since === undefined
      ? { markSeen: true }
      : { since: q.since, lastVisit: q.visit === undefined ? null : new Date(q.visit) },
  );
  return { ...view, advisories: watchedProductAdvisories(user) }; // per product: public advisories, embargoed open count
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  let form: FormData;
  try {
    // A CSV of serials to watch: up to WATCHLIST_CSV_MAX_BYTES, bounded while it streams.
    form = await readForm(request, { limit: WATCHLIST_CSV_MAX_BYTES + FORM_OVERHEAD_BYTES });
  } catch (e) {
    if (isBodyTooLarge(e))
      return failure(`The file is larger than ${formatBytes(WATCHLIST_CSV_MAX_BYTES)}.`, {}, undefined, 413);
    throw e;
  }
  const intent = form.get("intent");
  const refused = unknownIntent(intent, [null, "remove", "csv", "gtin"]);
  if (refused) return refused;
  if (intent === "remove") {
    const r = await attempt(() => unwatch(user, String(form.get("entryId") ?? "")));
    return r.ok ? { ok: true as const, notice: `${r.value.productName} removed from the watchlist.` } : r.response;
  }
  if (intent === "csv") {
    const file = form.get("file");
    const problem = chosenFileProblem(file instanceof File ? file : null, CHOOSE_CSV);
    if (problem || !(file instanceof File))
      return failure(problem ?? CHOOSE_CSV, { file: problem === CHOOSE_CSV ? "Choose a CSV file." : problem! });
    // The bytes decoded as the bulk check decodes them: UTF-8 or UTF-16 by their BOM, else Windows-1252 (said), never a workbook.
    const decoded = decodeCsvBytes(await file.arrayBuffer());
    if (!decoded.ok) return failure(decoded.message, { file: decoded.message });
    const r = await attempt(() => watchFromCsv(user, decoded.text));
    if (!r.ok) return r.response;
    return { ok: true as const, csv: r.value, encodingNote: decoded.note };
  }
  if (intent === "gtin") {
    const values = { gtin: String(form.get("gtin") ?? ""), gtinLabel: String(form.get("gtinLabel") ?? "") };
    const parsed = watchGtinInput.safeParse({ gtin: values.gtin, label: values.gtinLabel });
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues)
        fieldErrors[issue.path[0] === "label" ? "gtinLabel" : "gtin"] ??= issue.message;
      return failure(fieldErrors.gtin ? "Check the GTIN." : "Check your label.", fieldErrors, values);
    }
    const r = await attempt(() => watchByGtin(user, parsed.data), values);
    if (!r.ok) return r.response;
    const { productName, outcome } = r.value;
    return {
      ok: true as const,
      notice:
        outcome === "added"
          ? `Watching ${productName} by its GTIN: you will follow its current seal.`
          : outcome === "by_gtin"
            ? `${productName} is now followed by its GTIN: you will follow its current seal.`
            : `${productName} is already on your watchlist by its GTIN.`,
    };
  }
  const values = { serial: String(form.get("serial") ?? ""), label: String(form.get("label") ?? "") };
  const parsed = watchInput.safeParse(values);
  if (!parsed.success) {
    // Each problem on its own field, as for the GTIN form.
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues)
      fieldErrors[issue.path[0] === "label" ? "label" : "serial"] ??= issue.message;
    return failure(fieldErrors.serial ? "Check the serial." : "Check your label.", fieldErrors, values);
  }
  const r = await attempt(() => watchBySerial(user, parsed.data), values);
  if (!r.ok) return r.response;
  return {
    ok: true as const,
    notice: r.value.added ? `Watching ${r.value.productName}.` : `${r.value.productName} is already on your watchlist.`,
  };
}

/** "Added 3 products; 1 already watched; 2 rows not found; 1 row with an invalid GTIN." */
function csvSummary({ added, already, byGtin, unknown, invalid, empty, problems }: CsvWatchResult): string {
  const rows = (n: number) => `${n.toLocaleString("en")} row${n === 1 ? "" : "s"}`;
  const parts = [
    `Added ${added.toLocaleString("en")} product${added === 1 ? "" : "s"}`,
    ...(byGtin ? [`${byGtin.toLocaleString("en")} now followed by GTIN`] : []),
    ...(already ? [`${already.toLocaleString("en")} already watched`] : []),
    ...(unknown.length ? [`${rows(unknown.length)} not found`] : []),
    ...(invalid.length ? [`${rows(invalid.length)} with an invalid GTIN`] : []),
    ...(empty.length ? [`${rows(empty.length)} with no serial or GTIN`] : []),
    ...(problems.length ? [`${rows(problems.length)} read despite a problem`] : []),
  ];
  return `${parts.join("; ")}.`;
}

/** Short lists are shown open; longer ones (a file of a thousand rows) stay folded until asked for. */
const OPEN_UP_TO = 10;

/** One list of rows of a watched CSV, each with its line in the file. */
function CsvRows({ title, items }: { title: string; items: { line: number; text: string }[] }) {
  if (!items.length) return null;
  return (
    <details open={items.length <= OPEN_UP_TO}>
      <summary>
        {title} ({items.length.toLocaleString("en")})
      </summary>
      <ul className="small">
        {items.map((i, n) => (
          <li key={n}>
            line {i.line}: {i.text}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** What watching from a CSV did: the counts, then every row not watched (or read despite a problem) by its line. */
function CsvWatchOutcome({ result, encodingNote }: { result: CsvWatchResult; encodingNote: string | null }) {
  return (
    // Green only when the file added something: a file of which nothing was watched is a warning.
    <div
      className={`alert ${result.added + result.byGtin > 0 ? "alert--ok" : "alert--warn"} stack`}
      role="status"
      data-testid="csv-watch-result"
    >
      <p>{csvSummary(result)}</p>
      {encodingNote ? <p className="small">{encodingNote}</p> : null}
      <CsvRows
        title="Not found"
        items={result.unknown.map((u) => ({
          line: u.line,
          text:
            u.by === "gtin"
              ? `${u.value}: no product with an IoT Seal has this GTIN`
              : `${u.value}: no seal has this serial`,
        }))}
      />
      <CsvRows
        title="Invalid GTINs, not watched"
        items={result.invalid.map((i) => ({ line: i.line, text: i.message }))}
      />
      <CsvRows
        title="No serial or GTIN, not watched"
        items={result.empty.map((e) => ({ line: e.line, text: e.message }))}
      />
      <CsvRows title="Read despite a problem" items={result.problems.map((p) => ({ line: p.line, text: p.message }))} />
    </div>
  );
}

export default function Watchlist() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const failed = a && !a.ok ? a : null;
  const total = d.rows.length;
  // Every form posts to the view it was shown in: the page that follows lists the same changes.
  const formAction = `?index&since=${d.since}${d.lastVisit ? `&visit=${new Date(d.lastVisit).getTime()}` : ""}`;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Retail buyer</p>
          <h1>Watchlist</h1>
          <p>
            The products you stock and their seals' live status. Changes also reach your{" "}
            <Link to="/retailer/webhooks">webhooks</Link> and the <a href="/retailer/watchlist/feed">JSON feed</a>.
          </p>
        </div>
      </div>
      <Notice message={a?.ok && "notice" in a ? a.notice : undefined} />
      <LiveRegion>
        {a?.ok && "csv" in a && a.csv ? <CsvWatchOutcome result={a.csv} encodingNote={a.encodingNote} /> : null}
      </LiveRegion>
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="status-title">
          <h2 id="status-title">By status</h2>
          {total ? <StandingCounts counts={d.counts} /> : <p className="muted">Nothing watched yet.</p>}
        </section>
        <section className="card" aria-labelledby="changes-title">
          <h2 id="changes-title">
            Changed since your last visit{d.lastVisit ? ` (${formatDateTime(d.lastVisit)})` : ""}
          </h2>
          {d.changes.length === 0 ? (
            <p className="muted">No changes.</p>
          ) : (
            <WatchEventList events={d.changes} testId="watch-changes" />
          )}
          {d.moreChanges ? (
            <p className="small muted" data-testid="more-changes">
              … and {d.moreChanges.toLocaleString("en")} more: the{" "}
              <a href={`/retailer/watchlist/feed?since=${d.since}`}>JSON feed</a> has every one.
            </p>
          ) : null}
          {d.history.length ? (
            <>
              <h3>History of the products you started watching</h3>
              <p className="small muted">
                What happened to their seals before you watched them: not changes since your last visit.
              </p>
              <WatchEventList events={d.history} testId="watch-history" />
              {d.moreHistory ? <p className="small muted">… and {d.moreHistory.toLocaleString("en")} more.</p> : null}
            </>
          ) : null}
        </section>
      </div>
      <section className="card table-wrap" aria-labelledby="watched-title">
        <h2 id="watched-title">Watched products ({new Set(d.rows.map((r) => r.productId)).size})</h2>
        {total === 0 ? null : (
          <table className="stack" data-testid="watchlist">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Seal</th>
                <th scope="col">Status</th>
                <th scope="col">Security advisories</th>
                <th scope="col">Valid until</th>
                {d.hasPolicies ? <th scope="col">Your policies</th> : null}
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => (
                <tr key={r.key}>
                  <td data-label="Product" className="watch-product">
                    {r.name}{" "}
                    <span className="muted small">
                      {r.model} · {r.supplier}
                    </span>
                    {r.label || r.gtin ? (
                      <div className="small watch-label" data-testid="your-label">
                        {r.label ? (
                          <>
                            <span className="muted">Your label</span> <strong>{r.label}</strong>
                          </>
                        ) : null}
                        {r.gtin ? (
                          <span className="muted">
                            {r.label ? " · " : ""}GTIN <span className="mono">{r.gtin}</span>
                          </span>
                        ) : null}
                      </div>
                    ) : null}
                    {r.gtinNote ? <p className="muted small">{r.gtinNote}</p> : null}
                  </td>
                  <td className="mono" data-label="Seal">
                    {r.seal ? (
                      <Link to={`/s/${r.seal.serial}`} className="nowrap">
                        {r.seal.serial}
                      </Link>
                    ) : (
                      "—"
                    )}{" "}
                    {r.seal ? (
                      <span className="muted small">
                        firmware {r.seal.firmware}
                        {r.gtin ? " (current seal)" : ""}
                      </span>
                    ) : null}
                  </td>
                  <td data-label="Status">
                    {r.status === "no_seal" ? (
                      <span className="badge">No seal</span>
                    ) : (
                      <VerdictBadge verdict={r.status} />
                    )}
                    <UpdateRequired update={r.updateRequired} verdict={r.status} compact />
                  </td>
                  <td data-label="Security advisories">
                    <WatchedAdvisories summary={d.advisories[r.productId]} serial={r.seal?.serial ?? null} />
                  </td>
                  <td data-label="Valid until">
                    {r.seal ? <ValidUntilCell verdict={r.status} validUntil={r.seal.validUntil} /> : ""}
                  </td>
                  {d.hasPolicies ? (
                    <td data-label="Your policies">
                      <PolicyResults results={r.policies} compact />
                    </td>
                  ) : null}
                  <td>
                    <Form method="post" action={formAction}>
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="entryId" value={r.id} />
                      <button
                        className="button button--quiet button--small"
                        type="submit"
                        aria-label={`Remove ${r.name} from the watchlist`}
                      >
                        Remove
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="gtin-title">
          <h2 id="gtin-title">Watch a product by its GTIN</h2>
          <Form method="post" action={formAction} className="stack">
            <input type="hidden" name="intent" value="gtin" />
            <Field
              label="GTIN (the number under the barcode)"
              name="gtin"
              inputMode="numeric"
              autoComplete="off"
              defaultValue={failed?.values?.gtin}
              error={failed?.fieldErrors?.gtin}
              hint="8, 12, 13 or 14 digits. You follow the product's current seal, whatever its firmware version."
            />
            <Field
              label="Your label for it (optional)"
              name="gtinLabel"
              defaultValue={failed?.values?.gtinLabel}
              error={failed?.fieldErrors?.gtinLabel}
              hint="For example your own SKU."
            />
            <SubmitButton className="button" busy={nav.state !== "idle"}>
              Watch by GTIN
            </SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="add-title">
          <h2 id="add-title">Watch a product by one of its seals</h2>
          <Form method="post" action={formAction} className="stack">
            <Field
              label="Seal serial"
              name="serial"
              defaultValue={failed?.values?.serial}
              error={failed?.fieldErrors?.serial}
              hint="Any seal of the product; you will follow all its seals."
            />
            <Field
              label="Your label (optional)"
              name="label"
              defaultValue={failed?.values?.label}
              error={failed?.fieldErrors?.label}
              hint="For example your own SKU."
            />
            <SubmitButton className="button" busy={nav.state !== "idle"}>
              Watch
            </SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="csv-title">
          <h2 id="csv-title">Watch from a CSV</h2>
          <Form method="post" action={formAction} encType="multipart/form-data" className="stack">
            <input type="hidden" name="intent" value="csv" />
            <Field
              label="CSV file (the same as for a bulk check)"
              name="file"
              id="watch-file"
              type="file"
              accept=".csv,text/csv"
              error={failed?.fieldErrors?.file}
              hint={
                <>
                  A <code>gtin</code> (or <code>ean</code>, <code>upc</code>, <code>barcode</code>) or{" "}
                  <code>serial</code> column; your <code>label</code>, <code>sku</code> or <code>name</code> column
                  becomes the label.
                </>
              }
            />
            <SubmitButton className="button" busy={nav.state !== "idle"}>
              Watch them all
            </SubmitButton>
          </Form>
        </section>
      </div>
    </>
  );
}
