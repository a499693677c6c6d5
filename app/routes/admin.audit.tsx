import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { decimalNumber } from "../platform/forms";
import { actionLabel } from "../components/action-label";
import { formatDateTime } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { auditSubjects, targetHref } from "../system/activity.server";
import { auditLogView } from "../features/accounts/dashboard.server";
import { ScrollBox } from "../components/ScrollBox";

export const meta: MetaFunction = () => [{ title: "Audit log — IoT Seal administration" }];

/** Each query parameter: its label (named in a message) and its rule. An invalid one is named and not applied. */
const FIELDS = {
  organization: { label: "Organisation", schema: z.string().trim().max(100, { error: "not a known organisation." }) },
  action: {
    label: "Action",
    schema: z
      .string()
      .trim()
      .max(100, { error: "choose one from the list." })
      .regex(/^[a-z0-9_.:-]+$/, { error: "choose one from the list." }),
  },
  actor: {
    label: "Actor",
    schema: z.string().trim().max(320, { error: "at most 320 characters (an email, system:<name> or anonymous)." }),
  },
  targetType: {
    label: "Target",
    schema: z
      .string()
      .trim()
      .regex(/^[a-z_]{1,40}$/, { error: "not a kind of target the log records." }),
  },
  targetId: { label: "Target", schema: z.string().trim().max(200, { error: "the target's id is too long." }) },
  before: {
    label: "Page",
    schema: decimalNumber(
      z.number({ error: "not a page of the log." }).int({ error: "not a page of the log." }).positive({
        error: "not a page of the log.",
      }),
    ),
  },
  verify: { label: "Verify", schema: z.literal("1", { error: "use the button." }) },
  backupEvents: {
    label: "Events in the backup",
    schema: decimalNumber(
      z
        .number({ error: "a whole number (auditChain.events in the backup's manifest.json)." })
        .int({ error: "a whole number (auditChain.events in the backup's manifest.json)." })
        .nonnegative({ error: "a whole number (auditChain.events in the backup's manifest.json)." }),
    ),
  },
  backupHead: {
    label: "Head in the backup",
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[0-9a-f]{64}$/, { error: "64 hexadecimal digits (auditChain.head in the backup's manifest.json)." }),
  },
} as const;

type Field = keyof typeof FIELDS;
type Query = { [K in Field]?: z.output<(typeof FIELDS)[K]["schema"]> };

function parseQuery(params: URLSearchParams): { q: Query; problems: Record<string, string> } {
  const q: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const key of Object.keys(FIELDS) as Field[]) {
    const raw = params.get(key);
    if (raw === null || raw.trim() === "") continue;
    const r = FIELDS[key].schema.safeParse(raw);
    if (r.success) q[key] = r.data;
    else problems[key] ??= `${FIELDS[key].label}: ${r.error.issues[0]?.message ?? "not understood."}`;
  }
  if ((q.backupEvents === undefined) !== (q.backupHead === undefined) && !problems.backupEvents && !problems.backupHead)
    problems.backup = "Compare with a backup: give both the number of events and the head from its manifest.json.";
  return { q: q as Query, problems };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.audit.read");
  const { q, problems } = parseQuery(new URL(request.url).searchParams);
  const backup =
    q.backupEvents !== undefined && q.backupHead !== undefined
      ? { events: q.backupEvents, head: q.backupHead }
      : undefined;
  const view = auditLogView(admin, {
    organizationId: q.organization,
    action: q.action,
    actor: q.actor,
    targetType: q.targetType,
    targetId: q.targetType ? q.targetId : undefined,
    before: q.before,
    verify: q.verify === "1",
    backup,
  });
  return {
    ...view,
    // What each event was about, in words (a submission's product and firmware, a seal's serial...).
    subjects: auditSubjects(view.page.events),
    // Each target's page the administrator can open (by its id: a deleted target's link says so itself).
    targetHrefs: view.page.events.map((ev) => targetHref(admin.role, { type: ev.targetType, id: ev.targetId })),
    problems: Object.values({ ...problems, ...view.problems }),
    first: !q.before,
    backupInput: { events: q.backupEvents ?? null, head: q.backupHead ?? "" },
  };
}

type Filter = { organizationId?: string; action?: string; actor?: string; targetType?: string; targetId?: string };

/** This page's address with these filters (and a page), so paging and links keep the filters. */
function auditHref(f: Filter, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  const put = (k: string, v: string | number | undefined) => {
    if (v !== undefined && v !== "") p.set(k, String(v));
  };
  put("organization", f.organizationId);
  put("action", f.action);
  put("actor", f.actor);
  put("targetType", f.targetType);
  put("targetId", f.targetId);
  for (const [k, v] of Object.entries(extra)) put(k, v);
  const s = p.toString();
  return s ? `/admin/audit?${s}` : "/admin/audit";
}

function FilterInputs({ f }: { f: Filter }) {
  return (
    <>
      {f.organizationId ? <input type="hidden" name="organization" value={f.organizationId} /> : null}
      {f.action ? <input type="hidden" name="action" value={f.action} /> : null}
      {f.actor ? <input type="hidden" name="actor" value={f.actor} /> : null}
      {f.targetType ? <input type="hidden" name="targetType" value={f.targetType} /> : null}
      {f.targetType && f.targetId ? <input type="hidden" name="targetId" value={f.targetId} /> : null}
    </>
  );
}

export default function AdminAudit() {
  const {
    page,
    subjects,
    targetHrefs,
    chain,
    backup,
    first,
    filter,
    problems,
    organizations,
    actions,
    actors,
    backupInput,
  } = useLoaderData<typeof loader>();
  const filtered = Boolean(filter.organizationId || filter.action || filter.actor || filter.targetType);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Audit log</h1>
          <p>
            Append-only: each event carries the SHA-256 of the one before it. Verifying the chain finds an event that
            was changed or removed, except when the newest events were removed (the shorter chain still verifies) or
            when every hash after a change was recomputed (the hashes use no secret, so anyone who can write to the
            database can do it). Comparing with the head recorded in a backup's manifest finds both, for the events up
            to that backup.
          </p>
        </div>
        <Form method="get">
          <FilterInputs f={filter} />
          <input type="hidden" name="verify" value="1" />
          <button className="button button--quiet" type="submit">
            Verify the whole chain
          </button>
        </Form>
      </div>
      {problems.length ? (
        <div className="alert alert--error" role="alert" data-testid="query-problems">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      {chain ? (
        chain.ok ? (
          <p className="alert alert--ok" role="status" data-testid="chain-status">
            Verified {chain.checked} events. Chain head <span className="hash">{chain.head}</span>
          </p>
        ) : (
          <p className="alert alert--error" role="alert" data-testid="chain-status">
            Broken at event #{chain.firstBrokenSeq}: {chain.reason}. {chain.checked} events before it verify.
          </p>
        )
      ) : null}
      {backup ? (
        backup.ok ? (
          <p className="alert alert--ok" role="status" data-testid="backup-comparison">
            Event #{backup.events} still carries the backup's head
            {chain?.ok ? ", and the chain verifies: no event up to the backup was changed or removed" : ""}.{" "}
            {backup.newer} {backup.newer === 1 ? "event was" : "events were"} recorded since.
          </p>
        ) : backup.reason === "missing" ? (
          <p className="alert alert--error" role="alert" data-testid="backup-comparison">
            The backup recorded {backup.events} events, but there is no event #{backup.events} (the log ends at #
            {backup.current}): events were removed.
          </p>
        ) : (
          <p className="alert alert--error" role="alert" data-testid="backup-comparison">
            Event #{backup.events} has hash <span className="hash">{backup.storedHash}</span>, not the backup's head:
            the log up to the backup was rewritten, or the manifest belongs to another portal.
          </p>
        )
      ) : null}
      <Form method="get" className="card filters" role="search" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="f-organization">Organisation</label>
          <select id="f-organization" name="organization" defaultValue={filter.organizationId ?? ""}>
            <option value="">All organisations</option>
            {organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-action">Action</label>
          <select id="f-action" name="action" defaultValue={filter.action ?? ""}>
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)} ({a})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-actor">Actor</label>
          <input
            id="f-actor"
            name="actor"
            type="text"
            list="f-actors"
            defaultValue={filter.actor ?? ""}
            aria-describedby="f-actor-hint"
            autoComplete="off"
          />
          <datalist id="f-actors">
            {actors.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <p className="field__hint" id="f-actor-hint">
            An email, system:&lt;name&gt; or anonymous
          </p>
        </div>
        {filter.targetType ? (
          <>
            <input type="hidden" name="targetType" value={filter.targetType} />
            {filter.targetId ? <input type="hidden" name="targetId" value={filter.targetId} /> : null}
          </>
        ) : null}
        <button className="button" type="submit">
          Filter
        </button>
        {filtered ? <Link to="/admin/audit">Show every event</Link> : null}
      </Form>
      {/* On the page from the start: a filter's outcome is announced (WCAG 4.1.3). */}
      <p className="small muted" aria-live="polite">
        {page.events.length === 0
          ? "No events match."
          : `${page.events.length} event${page.events.length === 1 ? "" : "s"} on this page${filtered ? ", filtered" : ""}, newest first.`}
      </p>
      {filter.targetType ? (
        <p data-testid="target-filter">
          Only events on {filter.targetType} <span className="mono">{filter.targetId}</span>.{" "}
          <Link to={auditHref({ ...filter, targetType: undefined, targetId: undefined })}>Events on anything</Link>
        </p>
      ) : null}
      <section className="card">
        <ScrollBox label="Audit events (scrolls sideways)">
          {page.events.length === 0 ? <p className="muted">No events match.</p> : null}
          <table>
            <thead>
              <tr>
                <th className="num">#</th>
                <th>When</th>
                <th>What</th>
                <th>On</th>
                <th>Who</th>
                <th>Organisation</th>
                <th>Details</th>
                <th>Hash</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((e, i) => {
                const href = targetHrefs[i];
                return (
                  <tr key={e.seq}>
                    <td className="num">{e.seq}</td>
                    <td className="small">{formatDateTime(e.at)}</td>
                    <td>{actionLabel(e.action)}</td>
                    <td className="small">
                      {e.targetType ? (
                        <>
                          <div className="muted">{e.targetType}</div>
                          {subjects[i] ? <div data-testid="audit-subject">{subjects[i]}</div> : null}
                          {e.targetId ? (
                            <div className="mono" data-testid="audit-target">
                              {href ? <Link to={href}>{e.targetId}</Link> : e.targetId}
                            </div>
                          ) : null}
                          {e.targetId && !(filter.targetType === e.targetType && filter.targetId === e.targetId) ? (
                            <Link
                              to={auditHref({ ...filter, targetType: e.targetType, targetId: e.targetId })}
                              aria-label={`Its events: ${e.targetType} ${e.targetId}`}
                            >
                              Its events
                            </Link>
                          ) : null}
                        </>
                      ) : null}
                    </td>
                    <td className="small">
                      {e.actorLabel}
                      {e.ip ? <div className="muted">{e.ip}</div> : null}
                    </td>
                    <td className="small">
                      {e.organizationId ? (
                        <Link to={auditHref({ ...filter, organizationId: e.organizationId })}>
                          {e.organizationName ?? e.organizationId}
                        </Link>
                      ) : null}
                    </td>
                    <td className="small mono">{e.details === "{}" ? "" : e.details}</td>
                    <td className="hash" title={e.hash}>
                      {e.hash.slice(0, 12)}…
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollBox>
        <div className="pager">
          {first ? <span /> : <Link to={auditHref(filter)}>Newest</Link>}
          {page.nextBefore ? <Link to={auditHref(filter, { before: page.nextBefore })}>Older events</Link> : <span />}
        </div>
      </section>
      <section className="card" aria-labelledby="backup-title">
        <h2 id="backup-title">Compare with a backup</h2>
        <p>
          A backup's <code>manifest.json</code> records the chain as it was (<code>auditChain.events</code> and{" "}
          <code>auditChain.head</code>). If event #events still carries that head and the whole chain verifies, no event
          up to the backup was changed or removed since, even with the hashes recomputed. Keep the manifests where the
          portal's database cannot be written.
        </p>
        <Form method="get" className="filters">
          <FilterInputs f={filter} />
          <input type="hidden" name="verify" value="1" />
          <div className="field">
            <label htmlFor="f-backup-events">Events in the backup</label>
            <input
              id="f-backup-events"
              name="backupEvents"
              type="text"
              inputMode="numeric"
              defaultValue={backupInput.events ?? ""}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="f-backup-head">Head in the backup</label>
            <input
              id="f-backup-head"
              name="backupHead"
              type="text"
              className="mono"
              defaultValue={backupInput.head}
              required
            />
          </div>
          <button className="button button--quiet" type="submit">
            Compare
          </button>
        </Form>
      </section>
    </>
  );
}
