import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ConfirmTick, Field, FormError, Notice } from "../components/Field";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { formatDateTime } from "../platform/format";
import { parseForm } from "../platform/forms";
import { isConfirmed } from "../platform/confirmation.server";
import { requirePermission } from "../features/accounts/session.server";
import { getEnv } from "../platform/env.server";
import { createApiToken, listApiTokens, revokeApiToken } from "../features/accounts/api-tokens.server";
import { apiTokenInput } from "../features/accounts/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "API access — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  return { tokens: listApiTokens(user), baseUrl: getEnv().baseUrl };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  const form = await readForm(request);
  const refused = unknownIntent(form.get("intent"), [null, "revoke"]);
  if (refused) return refused;
  if (form.get("intent") === "revoke") {
    // Asked first (the row's tick box); the service refuses without it.
    const r = await attempt(() =>
      revokeApiToken(user, String(form.get("tokenId") ?? ""), { confirmed: isConfirmed(form.get("confirm")) }),
    );
    return r.ok
      ? {
          ok: true as const,
          notice: `Token "${r.value.name}" revoked: requests with it are refused from now on. This cannot be undone; create a new token if you need one.`,
        }
      : r.response;
  }
  const parsed = parseForm(apiTokenInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const r = await attempt(() => createApiToken(user, parsed.data), { name: parsed.data.name });
  return r.ok
    ? { ok: true as const, notice: `Token "${parsed.data.name}" created.`, token: r.value.token, tokenId: r.value.id }
    : r.response;
}

export default function ApiAccess() {
  const { tokens, baseUrl } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = a && !a.ok ? a : undefined;
  const created = a?.ok && "tokenId" in a ? a.tokenId : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Retail buyer</p>
          <h1>API access</h1>
          <p>
            The seal API is public. With one of your organisation's tokens, its answers also carry your{" "}
            <Link to="/retailer/policies">acceptance policies</Link>' results, so your stock system gets "meets" or the
            exact clauses missed for every seal it checks.
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      {a?.ok && "token" in a && a.token ? (
        <div className="alert alert--warn" role="status">
          <strong>Your token — shown only now:</strong>{" "}
          <span className="once-secret" data-testid="api-token">
            {a.token}
          </span>
          <p className="small">
            Keep it in your system's secret store. If it is lost or leaked, revoke it and create another.
          </p>
        </div>
      ) : null}
      <FormError message={failed?.formError} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="new-title">
          <h2 id="new-title">Create a token</h2>
          {/* Keyed by the token just created: the form starts empty again after a success (it keeps what was typed after a refusal). */}
          <Form method="post" className="stack" key={created ?? "new"}>
            <Field
              label="Name"
              name="name"
              defaultValue={failed?.values?.name}
              error={failed?.fieldErrors?.name}
              hint="What uses it, e.g. 'Stock system'."
            />
            <SubmitButton className="button" busy={busy}>
              Create
            </SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="use-title">
          <h2 id="use-title">Use it</h2>
          <pre className="code small">{`curl -H "Authorization: Bearer $TOKEN" ${baseUrl}/api/v1/seals/IOTS-XXXX-XXXX
curl -H "Authorization: Bearer $TOKEN" --data-binary @stock.csv ${baseUrl}/api/v1/verify/bulk
curl -H "Authorization: Bearer $TOKEN" "${baseUrl}/retailer/watchlist/feed?since=0"`}</pre>
          <p className="small">
            Answers gain <code>policies</code> (JSON: each policy with <code>meets</code> and the <code>misses</code>)
            or a <code>policy</code> column (CSV). The token also reads your{" "}
            <a href="/retailer/watchlist/feed">watchlist feed</a> (<code>?since=</code> the last <code>seq</code> you
            have), so a webhook receiver can catch up on deliveries it missed. A wrong or revoked token is refused with
            401.
          </p>
        </section>
      </div>
      <section className="card table-wrap" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Tokens ({tokens.length})</h2>
        {tokens.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Revoke</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="mono">{t.prefix}…</td>
                  <td className="small">
                    {formatDateTime(t.createdAt)} by {t.by}
                  </td>
                  <td className="small">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "never"}</td>
                  <td>
                    {t.revokedAt ? (
                      <span className="badge">revoked {formatDateTime(t.revokedAt)}</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="tokenId" value={t.id} />
                        <ConfirmTick ariaLabel={`I understand: revoke ${t.name} for good`}>
                          I understand: for good
                        </ConfirmTick>
                        <button
                          className="button button--danger button--small"
                          type="submit"
                          aria-label={`Revoke ${t.name}`}
                        >
                          Revoke
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
