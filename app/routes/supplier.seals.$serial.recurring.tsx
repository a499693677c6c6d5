import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FormError, Notice } from "../components/Field";
import { History, ScheduleTable, scheduleRule, sentNotice, UploadForm } from "../components/RecurringEvidence";
import { getEnv } from "../platform/env.server";
import { formatDate } from "../platform/format";
import { handleRecurringUpload } from "../features/monitoring/recurring-upload.server";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { supplierRecurringView } from "../features/monitoring/recurring-evidence.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Recurring evidence — ${data.seal.product} ${data.seal.firmware} — IoT Seal`
      : "Recurring evidence — IoT Seal",
  },
];

const query = z.object({
  ref: z.string().max(64).optional().catch(undefined),
  sent: z.string().max(64).optional().catch(undefined),
});

/** A supplier's seal under continuous monitoring: its recurring requirements, where each stands, the history, and the upload form. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const view = serviceOrThrow(() => supplierRecurringView(user, params.serial ?? ""));
  if (view.seal.serial !== params.serial) throw redirect(`/supplier/seals/${view.seal.serial}/recurring`);
  const q = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { ...view, selected: q.ref ?? null, sent: q.sent ?? null, maxFileBytes: getEnv().evidenceMaxFileBytes };
}

/** Fresh evidence for one requirement (multipart: the file streams to the evidence store; ownership is checked before it is read). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const serial = params.serial ?? "";
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    return data(
      {
        ok: false as const,
        formError: "Send the evidence with the form (multipart/form-data).",
        fieldErrors: {} as Record<string, string>,
        values: {} as Record<string, string>,
      },
      { status: 415 },
    );
  }
  const result = await handleRecurringUpload(user, request, serial);
  if (!result.ok) {
    return data(
      { ok: false as const, formError: result.message, fieldErrors: result.fieldErrors, values: result.values },
      { status: result.status, headers: result.status === 413 ? { Connection: "close" } : {} },
    );
  }
  throw redirect(`/supplier/seals/${serial}/recurring?sent=${encodeURIComponent(result.ref)}`);
}

export default function SealRecurringPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const s = d.seal;
  return (
    <>
      <p className="small">
        <Link to="/supplier">Dashboard</Link> › <Link to={`/supplier/products/${s.productId}`}>{s.product}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">Continuous monitoring</p>
          <h1>
            Recurring evidence: {s.product} <span className="muted">firmware {s.firmware}</span>
          </h1>
          <p>
            Seal{" "}
            <Link to={`/s/${s.serial}`} className="mono">
              {s.serial}
            </Link>{" "}
            · <span title={s.checklistTitle}>{s.checklistLabel}</span>, level {s.levelTitle} · issued{" "}
            {formatDate(s.issuedAt)}, valid until {formatDate(s.validUntil)}
            {s.state === "suspended" ? (
              <>
                {" "}
                <span className="badge badge--bad">suspended</span>
              </>
            ) : null}
          </p>
        </div>
      </div>
      <Notice message={sentNotice(d.sent, d.items)} />
      <FormError message={a && !a.ok ? a.formError : undefined} />
      {d.notMonitored ? <p className="alert alert--warn">{d.notMonitored}</p> : null}
      <section className="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title">Recurring requirements</h2>
        {d.items.length === 0 ? (
          <p className="muted">This seal's checklist version asks for no fresh evidence after the seal.</p>
        ) : (
          <>
            {d.monitored ? <p className="small muted">{scheduleRule(d.graceDays)}</p> : null}
            <ScheduleTable items={d.items} canUpload={d.canUpload} monitored={d.monitored} validUntil={s.validUntil} />
          </>
        )}
      </section>
      {d.items.length && !d.notMonitored ? (
        <section className="card" aria-labelledby="upload-title" id="upload">
          <h2 id="upload-title">Send fresh evidence</h2>
          <UploadForm
            items={d.items}
            selected={d.selected}
            maxFileBytes={d.maxFileBytes}
            busy={busy}
            errors={a && !a.ok ? a.fieldErrors : undefined}
            values={a && !a.ok ? a.values : undefined}
          />
        </section>
      ) : null}
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <History entries={d.history} monitored={d.monitored} />
      </section>
    </>
  );
}
