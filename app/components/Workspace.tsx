import type { ReactNode } from "react";
import { ActivityList, type ActivityRow } from "./Activity";
import { ROLE_LABELS, type Role } from "../platform/roles";
import { formatDateTime } from "../platform/format";

export interface Colleague {
  id: string;
  name: string;
  email: string;
  role: string;
  lastLoginAt: Date | string | null;
  disabledAt: Date | string | null;
}

/** The common frame of the supplier, assessor and retailer dashboards. */
export function Workspace(props: {
  eyebrow: string;
  title: string;
  intro: ReactNode;
  organizationName: string;
  colleagues: Colleague[];
  activity: ActivityRow[];
  children?: ReactNode;
}) {
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">{props.eyebrow}</p>
          <h1>{props.title}</h1>
          <p>{props.intro}</p>
        </div>
      </div>
      {props.children}
      <div className="grid grid--2">
        <section className="card" aria-labelledby="team-title">
          <h2 id="team-title">Your team at {props.organizationName}</h2>
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Role</th>
                  <th>Last login</th>
                </tr>
              </thead>
              <tbody>
                {props.colleagues.map((c) => (
                  <tr key={c.id}>
                    <td data-label="Name">
                      {c.name}
                      <div className="small muted">{c.email}</div>
                    </td>
                    <td data-label="Role">
                      {ROLE_LABELS[c.role as Role] ?? c.role}
                      {c.disabledAt ? <span className="badge badge--bad">disabled</span> : null}
                    </td>
                    <td className="small" data-label="Last login">
                      {c.lastLoginAt ? formatDateTime(c.lastLoginAt) : <span className="muted">never</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="card" aria-labelledby="activity-title">
          <h2 id="activity-title">Recent activity</h2>
          <ActivityList items={props.activity} />
        </section>
      </div>
    </>
  );
}
