import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { ConfirmTick, Field, FormError, LiveRegion, SelectField } from "../components/Field";
import { ORGANIZATION_KIND_LABELS, ROLE_LABELS, ROLES, type OrganizationKind, type Role } from "../platform/roles";
import { attempt, failure } from "../platform/http/action-errors.server";
import { formatDate, formatDateTime } from "../platform/format";
import { parseForm } from "../platform/forms";
import { isConfirmed } from "../platform/confirmation.server";
import { requirePermission } from "../features/accounts/session.server";
import { createUser, listOrganizations, listUsers, setUserDisabled } from "../features/accounts/users.server";
import { createUserInput } from "../features/accounts/forms";
import { sendPasswordReset } from "../features/accounts/password-reset.server";
import { adminTurnOffTwoStep } from "../features/accounts/two-step.server";
import { getEnv } from "../platform/env.server";
import { heldInReview, heldInReviewBy } from "../features/certification/review.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Users — IoT Seal administration" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.users.manage");
  return {
    me: admin.userId,
    /** Roles that must use two-step login (TWO_STEP_REQUIRED_FOR). */
    twoStepRequiredFor: getEnv().twoStepRequiredFor,
    users: listUsers(admin),
    organizations: listOrganizations(admin),
    /** Submissions each assessor holds in review, by user id. */
    held: heldInReview(admin).byAssessor,
  };
}

const toggleInput = z.object({ intent: z.enum(["disable", "enable"]), userId: z.string().min(1) });
const resetInput = z.object({ intent: z.literal("reset"), userId: z.string().min(1, { error: "Choose a user." }) });
const twoStepOffInput = z.object({
  intent: z.literal("two-step-off"),
  userId: z.string().min(1, { error: "Choose a user." }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.users.manage");
  const form = await readForm(request);
  if (form.get("intent") === "create") {
    const parsed = parseForm(createUserInput, form);
    if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
    const { password: _p, ...values } = parsed.data;
    const result = await attempt(() => createUser(admin, parsed.data), values as Record<string, string>);
    if (!result.ok) return result.response;
    return {
      ok: true as const,
      created: { email: parsed.data.email, password: result.value.generated ? result.value.password : null },
      reset: null,
    };
  }
  if (form.get("intent") === "reset") {
    const parsed = parseForm(resetInput, form);
    if (!parsed.ok) return failure("That request was not understood.", parsed.fieldErrors);
    const result = await attempt(() => sendPasswordReset(admin, parsed.data.userId));
    if (!result.ok) return result.response;
    return {
      ok: true as const,
      created: null,
      reset: { email: result.value.email, kept: !getEnv().smtpUrl },
    };
  }
  if (form.get("intent") === "two-step-off") {
    const parsed = parseForm(twoStepOffInput, form);
    if (!parsed.ok) return failure("That request was not understood.", parsed.fieldErrors);
    const result = await attempt(() =>
      adminTurnOffTwoStep(admin, parsed.data.userId, { confirmed: isConfirmed(form.get("confirm")) }),
    );
    if (!result.ok) return result.response;
    return {
      ok: true as const,
      created: null,
      reset: null,
      toggled: `Two-step login is off for ${result.value.email}: they log in with their password alone, and can set it up again from their account page.`,
    };
  }
  const parsed = parseForm(toggleInput, form);
  if (!parsed.ok) return failure("That request was not understood.", parsed.fieldErrors);
  const disable = parsed.data.intent === "disable";
  // Disabling revokes the API tokens the user created and removes the webhook endpoints they registered: asked
  // first (the row's tick box); the service refuses without it.
  const result = await attempt(() =>
    setUserDisabled(admin, parsed.data.userId, disable, { confirmed: isConfirmed(form.get("confirm")) }),
  );
  if (!result.ok) return result.response;
  const email = listUsers(admin).find((u) => u.id === parsed.data.userId)?.email ?? "The account";
  const held = heldInReviewBy(admin, parsed.data.userId);
  return {
    ok: true as const,
    created: null,
    reset: null,
    toggled: disable
      ? `${email} is disabled: they cannot log in, and their sessions have ended${endedClause(
          result.value.revokedApiTokens,
          result.value.removedWebhooks,
        )}. Enable the account to let them back.${
          held
            ? ` ${heldSentence(held)}: another assessor can take ${held === 1 ? "it" : "them"} over from the review queue.`
            : ""
        }`
      : `${email} is enabled: they can log in again with their password.`,
  };
}

/**
 * ", and the 2 API tokens they created were revoked and the webhook endpoint they registered was removed
 * (enabling the account does not restore them)".
 */
function endedClause(tokens: number, webhooks: number): string {
  const ended = [
    ...(tokens
      ? [tokens === 1 ? "the API token they created was revoked" : `the ${tokens} API tokens they created were revoked`]
      : []),
    ...(webhooks
      ? [
          webhooks === 1
            ? "the webhook endpoint they registered was removed"
            : `the ${webhooks} webhook endpoints they registered were removed`,
        ]
      : []),
  ];
  if (!ended.length) return "";
  return `, and ${ended.join(" and ")} (enabling the account does not restore ${tokens + webhooks === 1 ? "it" : "them"})`;
}

/** "1 active API token", "2 active API tokens". */
function activeTokens(n: number): string {
  return `${n} active API token${n === 1 ? "" : "s"}`;
}

/** "1 webhook endpoint", "2 webhook endpoints". */
function webhookEndpoints(n: number): string {
  return `${n} webhook endpoint${n === 1 ? "" : "s"}`;
}

/** "revokes their 2 active API tokens and removes their 1 webhook endpoint" (what the tick box confirms). */
function disablingEnds(tokens: number, webhooks: number): string {
  return [
    ...(tokens ? [`revokes their ${activeTokens(tokens)}`] : []),
    ...(webhooks ? [`removes their ${webhookEndpoints(webhooks)}`] : []),
  ].join(" and ");
}

/** "They hold 2 submissions in review". */
function heldSentence(n: number): string {
  return `They hold ${n} submission${n === 1 ? "" : "s"} in review`;
}

export default function AdminUsers() {
  const { me, users, organizations, held, twoStepRequiredFor } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = a && !a.ok ? a : undefined;
  const created = a && a.ok ? a.created : null;
  const reset = a && a.ok ? a.reset : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Users</h1>
          <p>
            {users.length} accounts. Assessors and administrators can only be created here (or with{" "}
            <code>npm run user:create</code>).
          </p>
        </div>
      </div>
      {/* One live region for what an action answers, on the page before the answer comes. */}
      <LiveRegion>
        {created ? (
          <div className="alert alert--ok" role="status">
            Created <strong>{created.email}</strong>.
            {created.password ? (
              <>
                {" "}
                Their password is <span className="once-secret">{created.password}</span> — it is shown only this once;
                pass it on securely.
              </>
            ) : null}
          </div>
        ) : null}
        {a && a.ok && "toggled" in a && a.toggled ? (
          <p className="alert alert--ok" role="status">
            {a.toggled}
          </p>
        ) : null}
        {reset ? (
          <div className="alert alert--ok" role="status">
            A password reset link was mailed to <strong>{reset.email}</strong>. It works once, for one hour; their
            current password works until they set a new one.
            {reset.kept ? (
              <>
                {" "}
                No <code>SMTP_URL</code> is configured: the mail is kept in the{" "}
                <Link to="/admin/outbox">mail outbox</Link>.
              </>
            ) : null}
          </div>
        ) : null}
      </LiveRegion>
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <section className="card">
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Organisation</th>
                <th>Last login</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td data-label="Name">
                    {u.name}
                    <div className="small muted email">{u.email}</div>
                  </td>
                  <td data-label="Role">
                    {ROLE_LABELS[u.role as Role]}{" "}
                    {u.disabledAt ? <span className="badge badge--bad">disabled</span> : null}
                    {u.twoStepSince ? (
                      <div className="small" data-testid="two-step-on">
                        two-step login since {formatDate(u.twoStepSince)}
                      </div>
                    ) : twoStepRequiredFor.includes(u.role as Role) && !u.disabledAt ? (
                      <div className="small" data-testid="two-step-due">
                        no two-step login yet (required: asked to set it up at their next page)
                      </div>
                    ) : null}
                    {u.activeApiTokens ? (
                      <div className="small" data-testid="active-api-tokens">
                        {activeTokens(u.activeApiTokens)} they created
                      </div>
                    ) : null}
                    {u.activeWebhooks ? (
                      <div className="small" data-testid="active-webhooks">
                        {webhookEndpoints(u.activeWebhooks)} they registered
                      </div>
                    ) : null}
                    {held[u.id] ? (
                      <div className="small" data-testid="held-in-review">
                        holds {held[u.id]} submission{held[u.id] === 1 ? "" : "s"} in review
                        {u.disabledAt
                          ? `: another assessor can take ${held[u.id] === 1 ? "it" : "them"} over from the review queue`
                          : ""}
                      </div>
                    ) : null}
                  </td>
                  <td data-label="Organisation">
                    {u.organizationName}
                    <div className="small muted">
                      {ORGANIZATION_KIND_LABELS[u.organizationKind as OrganizationKind]}
                    </div>
                  </td>
                  <td className="small" data-label="Last login">
                    {u.lastLoginAt ? formatDateTime(u.lastLoginAt) : <span className="muted">never</span>}
                  </td>
                  <td data-label="Actions">
                    {u.id === me ? (
                      <span className="small muted">
                        you · <Link to="/account">change your password</Link>
                      </span>
                    ) : (
                      <>
                        {u.disabledAt ? null : (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="userId" value={u.id} />
                            <button
                              className="button button--quiet button--small"
                              name="intent"
                              value="reset"
                              aria-label={`Send password reset to ${u.email}`}
                            >
                              Send password reset
                            </button>
                          </Form>
                        )}{" "}
                        {u.twoStepSince ? (
                          <>
                            <Form method="post" className="inline-form">
                              <input type="hidden" name="userId" value={u.id} />
                              <ConfirmTick
                                id={`two-step-off-${u.id}`}
                                ariaLabel={`I have checked, outside IoT Seal, that it is ${u.email} who asks`}
                              >
                                I have checked, outside IoT Seal, that it is them who asks
                              </ConfirmTick>
                              <button
                                className="button button--quiet button--small"
                                name="intent"
                                value="two-step-off"
                                aria-label={`Turn off two-step login for ${u.email}`}
                              >
                                Turn off two-step login
                              </button>
                            </Form>{" "}
                          </>
                        ) : null}
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="userId" value={u.id} />
                          {!u.disabledAt && (u.activeApiTokens || u.activeWebhooks) ? (
                            <ConfirmTick
                              ariaLabel={`I understand: disabling ${u.email} ${disablingEnds(u.activeApiTokens, u.activeWebhooks)} for good`}
                            >
                              I understand: this {disablingEnds(u.activeApiTokens, u.activeWebhooks)} for good
                            </ConfirmTick>
                          ) : null}
                          <button
                            className={
                              u.disabledAt
                                ? "button button--quiet button--small"
                                : "button button--danger button--small"
                            }
                            name="intent"
                            value={u.disabledAt ? "enable" : "disable"}
                            aria-label={`${u.disabledAt ? "Enable" : "Disable"} ${u.email}`}
                          >
                            {u.disabledAt ? "Enable" : "Disable"}
                          </button>
                        </Form>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" id="new-user" aria-labelledby="new-user-title">
        <h2 id="new-user-title">Add a user</h2>
        {/* Keyed by the account just created: the form starts empty again after a success. */}
        <Form method="post" noValidate className="stack" key={created?.email ?? "new"}>
          <input type="hidden" name="intent" value="create" />
          <Field
            label="Email"
            name="email"
            type="email"
            required
            defaultValue={failed?.values?.email}
            error={failed?.fieldErrors.email}
          />
          <Field
            label="Name"
            name="name"
            required
            defaultValue={failed?.values?.name}
            error={failed?.fieldErrors.name}
          />
          <SelectField
            label="Role"
            name="role"
            id="f-role"
            defaultValue={failed?.values?.role ?? "assessor"}
            error={failed?.fieldErrors.role}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Organisation"
            name="organizationId"
            id="f-org"
            hint="Assessors and administrators join the certification body when none is chosen."
            defaultValue={failed?.values?.organizationId ?? ""}
            error={failed?.fieldErrors.organizationId}
          >
            <option value="">— the certification body —</option>
            {organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({ORGANIZATION_KIND_LABELS[o.kind as OrganizationKind]})
              </option>
            ))}
          </SelectField>
          <Field
            label="Password (optional)"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="Leave empty to generate one; it is shown once."
            error={failed?.fieldErrors.password}
          />
          <SubmitButton className="button" busy={busy}>
            Create user
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
