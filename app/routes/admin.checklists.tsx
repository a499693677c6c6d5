import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { FORM_OVERHEAD_BYTES, isBodyTooLarge, readForm } from "../platform/http/request-body.server";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { attempt, failure, serviceFailure } from "../platform/http/action-errors.server";
import { formatBytes, formatDate } from "../platform/format";
import { parseForm } from "../platform/forms";
import { isConfirmed } from "../platform/confirmation.server";
import { requirePermission } from "../features/accounts/session.server";
import {
  ChecklistInvalidError,
  importChecklist,
  listChecklists,
  retireChecklistVersion,
} from "../features/catalogue/checklists.server";
import { CHECKLIST_MAX_BYTES } from "../features/catalogue/domain/checklist/parse";
import { SubmitButton } from "../components/SubmitButton";
import { ConfirmTick } from "../components/Field";

export const meta: MetaFunction = () => [{ title: "Manage checklists — IoT Seal administration" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "admin.workspace");
  return { checklists: listChecklists() };
}

const retireInput = z.object({
  intent: z.literal("retire"),
  versionId: z.string({ error: "Choose the version to retire." }).min(1, { error: "Choose the version to retire." }),
  reason: z
    .string({ error: "Give a reason of at least 5 characters." })
    .trim()
    .min(5, { error: "Give a reason of at least 5 characters." })
    .max(500, { error: "Keep the reason under 500 characters." }),
  confirm: z.string().optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.workspace");
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    const tooLarge = () =>
      failure(
        `The file is larger than ${formatBytes(CHECKLIST_MAX_BYTES)}; a checklist file is a few hundred KiB at most.`,
        { file: "Too large." },
        undefined,
        413,
      );
    let form: FormData;
    try {
      form = await readForm(request, { limit: CHECKLIST_MAX_BYTES + FORM_OVERHEAD_BYTES });
    } catch (e) {
      if (isBodyTooLarge(e)) return tooLarge();
      throw e;
    }
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0)
      return failure("Choose a checklist file (.yaml) to upload.", { file: "Choose a file." });
    if (file.size > CHECKLIST_MAX_BYTES) return tooLarge();
    const name = file.name.replace(/[^\w.-]/g, "_").slice(0, 100);
    if (!/\.ya?ml$/i.test(name))
      return failure(`"${name}" is not a .yaml file.`, { file: "The file name must end in .yaml." });
    let source: string;
    try {
      source = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      return failure(`"${name}" is not UTF-8 text.`, { file: "Not a text file." });
    }
    try {
      const outcome = importChecklist(admin, source, name, { fileStem: name.replace(/\.ya?ml$/i, "") });
      return { ok: true as const, outcome, problems: [] as string[] };
    } catch (e) {
      if (e instanceof ChecklistInvalidError)
        return data({ ok: false as const, formError: e.message, fieldErrors: {}, problems: e.lines }, { status: 400 });
      return serviceFailure(e);
    }
  }
  const values = { intent: "retire" };
  const parsed = parseForm(retireInput, await readForm(request));
  if (!parsed.ok)
    return failure(parsed.fieldErrors.reason ?? "That request was not understood.", parsed.fieldErrors, values);
  // Asked first (the row's tick box); the service refuses without it.
  const r = await attempt(
    () =>
      retireChecklistVersion(admin, parsed.data.versionId, parsed.data.reason, {
        confirmed: isConfirmed(parsed.data.confirm),
      }),
    values,
  );
  if (!r.ok) return r.response;
  return {
    ok: true as const,
    outcome: null,
    problems: [] as string[],
    retired: r.value.lastPublished
      ? `${r.value.label} is retired: no new submission can choose it, and as no other version of this checklist is published, renewals and re-certifications on this checklist are not possible until a new version is imported; it stays readable, and the seals issued against it stay valid.`
      : `${r.value.label} is retired: no new submission can choose it; it stays readable, and the seals issued against it stay valid.`,
  };
}

export default function AdminChecklists() {
  const { checklists } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const outcome = a && a.ok ? a.outcome : null;
  const retireFailed = a && !a.ok && "values" in a && a.values?.intent === "retire" ? a.formError : null;
  return (
    <>
      <p className="small">
        <Link to="/checklists">All checklists</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Manage checklists</h1>
          <p>
            Import a new version (the same rules as <code>npm run checklist:import</code>), or retire one: a retired
            version stays readable and its seals stay valid, but no new submission can choose it.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="upload-title">
        <h2 id="upload-title">Import a checklist version</h2>
        {outcome ? (
          <p className="alert alert--ok" role="status">
            {outcome.outcome === "imported"
              ? `Imported ${outcome.checklistId} ${outcome.version}: ${outcome.requirements} requirements, sha256 ${outcome.hash}.`
              : `${outcome.checklistId} ${outcome.version} is already imported with exactly this content (sha256 ${outcome.hash}); nothing changed.${outcome.retired ? " It is retired, and stays retired: no new submissions." : ""}`}
          </p>
        ) : null}
        {a && !a.ok && !retireFailed ? (
          <div className="alert alert--error" role="alert">
            <p>{a.formError}</p>
            {"problems" in a && a.problems.length ? (
              <ul className="problems" aria-label="Problems in the file">
                {a.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <Form method="post" encType="multipart/form-data" className="form-row">
          <div className="field">
            <label htmlFor="file">Checklist file</label>
            <p className="field__hint">
              A <code>&lt;version&gt;.yaml</code> file in the checklist format; at most 1 MiB.
            </p>
            <input id="file" name="file" type="file" accept=".yaml,.yml,application/yaml,text/yaml" required />
          </div>
          <div className="field">
            <SubmitButton className="button" busy={busy}>
              Validate and import
            </SubmitButton>
          </div>
        </Form>
      </section>
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        {a && a.ok && "retired" in a && a.retired ? (
          <p className="alert alert--ok" role="status">
            {a.retired}
          </p>
        ) : null}
        {retireFailed ? (
          <p className="alert alert--error" role="alert">
            {retireFailed}
          </p>
        ) : null}
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Checklist</th>
                <th>Version</th>
                <th>Published</th>
                <th>Status</th>
                <th>Retire</th>
              </tr>
            </thead>
            <tbody>
              {checklists.flatMap((c) =>
                c.versions.map((v) => (
                  <tr key={v.id}>
                    <td>{c.title}</td>
                    <td>
                      <Link to={`/checklists/${c.id}/${v.version}`}>{v.version}</Link>
                    </td>
                    <td>{formatDate(v.publishedOn)}</td>
                    <td>
                      {v.status === "retired" ? (
                        <span className="badge badge--warn" title={v.retiredReason ?? undefined}>
                          retired
                        </span>
                      ) : (
                        <span className="badge badge--ok">published</span>
                      )}
                    </td>
                    <td>
                      {v.status === "published" ? (
                        <Form method="post" className="form-row">
                          <input type="hidden" name="intent" value="retire" />
                          <input type="hidden" name="versionId" value={v.id} />
                          <label className="small">
                            Reason{" "}
                            <input
                              type="text"
                              name="reason"
                              aria-label={`Reason to retire ${c.id} ${v.version}`}
                              placeholder="e.g. replaced by a newer version"
                              required
                              minLength={5}
                            />
                          </label>
                          <ConfirmTick
                            ariaLabel={`I understand: retire ${c.id} ${v.version} for good${v.lastPublished ? "; no renewals or re-certifications on this checklist" : ""}`}
                          >
                            {v.lastPublished
                              ? "I understand: no new submissions, for good; as it is this checklist's only published version, renewals and re-certifications on this checklist will not be possible"
                              : "I understand: no new submissions, for good"}
                          </ConfirmTick>
                          <button
                            className="button button--quiet button--small"
                            type="submit"
                            aria-label={`Retire ${c.id} ${v.version}`}
                          >
                            Retire
                          </button>
                        </Form>
                      ) : (
                        <span className="small muted">{v.retiredReason}</span>
                      )}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
