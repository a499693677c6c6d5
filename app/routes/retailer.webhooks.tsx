import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ConfirmTick, Field, FormError, Notice } from "../components/Field";
import {
  MAX_ATTEMPTS,
  retryWaitsInWords,
  retryWindowHours,
  WEBHOOK_SIGNATURE_HEADER,
} from "../features/retail/domain/webhook";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { formatDateTime } from "../platform/format";
import { isConfirmed } from "../platform/confirmation.server";
import { requirePermission } from "../features/accounts/session.server";
import {
  registerWebhook,
  removeWebhook,
  rotateWebhookSecret,
  sendTestWebhook,
  webhooksView,
} from "../features/retail/webhooks.server";
import { DEFAULT_TIMEOUT_MS } from "../features/retail/adapters/webhook-sender.server";
import { webhookInput } from "../features/retail/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Webhooks — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  return {
    endpoints: webhooksView(user),
    header: WEBHOOK_SIGNATURE_HEADER,
    timeoutSeconds: DEFAULT_TIMEOUT_MS / 1000,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  const form = await readForm(request);
  const intent = form.get("intent");
  const refused = unknownIntent(intent, [null, "test", "rotate", "remove"]);
  if (refused) return refused;
  const id = String(form.get("endpointId") ?? "");
  if (intent === "test") {
    const r = await attempt(() => sendTestWebhook(user, id));
    return r.ok
      ? { ok: true as const, notice: "A test event is queued; it is sent within seconds. Reload to see the attempt." }
      : r.response;
  }
  if (intent === "rotate") {
    // Asked first (the endpoint's tick box); the service refuses without it.
    const r = await attempt(() => rotateWebhookSecret(user, id, { confirmed: isConfirmed(form.get("confirm")) }));
    if (!r.ok) return r.response;
    return {
      ok: true as const,
      notice: `New secret for ${r.value.url}. Deliveries are signed with it and, until ${formatDateTime(r.value.previousUntil)}, with the secret before too: put the new one in your receiver before then.`,
      secret: r.value.secret,
    };
  }
  if (intent === "remove") {
    // Asked first (the endpoint's tick box); the service refuses without it.
    const r = await attempt(() => removeWebhook(user, id, { confirmed: isConfirmed(form.get("confirm")) }));
    if (!r.ok) return r.response;
    const { url, givenUp } = r.value;
    return {
      ok: true as const,
      notice: `Endpoint ${url} removed: its secret signs nothing more${
        givenUp
          ? `, and ${givenUp.toLocaleString("en")} pending ${givenUp === 1 ? "delivery was" : "deliveries were"} given up`
          : ""
      }. The watchlist feed still has every event.`,
    };
  }
  const values = { url: String(form.get("url") ?? "") };
  const parsed = webhookInput.safeParse(values);
  if (!parsed.success) return failure("Check the URL.", { url: parsed.error.issues[0].message }, values);
  const r = await attempt(() => registerWebhook(user, parsed.data), values);
  if (!r.ok) return r.response;
  return { ok: true as const, notice: "Endpoint registered.", secret: r.value.secret };
}

export default function Webhooks() {
  const { endpoints, header, timeoutSeconds } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const failed = a && !a.ok ? a : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Retail buyer</p>
          <h1>Webhooks</h1>
          <p>
            Every status change of a product on your watchlist is POSTed as JSON to your endpoints, signed with
            HMAC-SHA256 in the <code>{header}</code> header (
            <code>t=&lt;unix time&gt;,v1=&lt;hex HMAC of "t.body"&gt;</code>). The HMAC key is the whole secret as
            shown, <code>whsec_</code> included, as text (not base64-decoded). For 24 hours after a new secret the
            header has a <code>v1=</code> for each secret: accept a delivery that matches any of them.
          </p>
          <p className="small">
            Answer with any 2xx. A timeout ({timeoutSeconds} s), a network error, 408, 425, 429 or a 5xx is retried:{" "}
            {MAX_ATTEMPTS} attempts in all, after {retryWaitsInWords()} (each ±20 %), so the last about{" "}
            {retryWindowHours()} hours after the first. A redirect or another 4xx is not retried: register the final
            URL, and check the signature code if you answer 401. Each event carries an <code>id</code>: drop a repeat.
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      {a?.ok && "secret" in a && a.secret ? (
        <div className="alert alert--warn" role="status">
          <strong>Your signing secret — shown only now:</strong>{" "}
          <span className="once-secret" data-testid="webhook-secret">
            {a.secret}
          </span>
          <p className="small">
            Store it in your receiver to check each delivery's signature. If you lose it, or think someone else has it,
            use New secret on its endpoint (the one before signs for 24 hours more).
          </p>
        </div>
      ) : null}
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <section className="card" aria-labelledby="add-title">
        <h2 id="add-title">Register an endpoint</h2>
        {/* A new, empty form after each registration (a second click would register the URL again). */}
        <Form method="post" className="stack" key={a?.ok && "secret" in a ? a.secret : "new"}>
          <Field
            label="HTTPS URL"
            name="url"
            type="url"
            defaultValue={failed?.values?.url}
            error={failed?.fieldErrors?.url}
            hint="A public https address. Private, loopback and cloud-metadata addresses are refused, and redirects are not followed."
          />
          <SubmitButton className="button" busy={nav.state !== "idle"}>
            Register
          </SubmitButton>
        </Form>
      </section>
      {endpoints.map((ep) => (
        <section className="card" key={ep.id} aria-label={`Endpoint ${ep.url}`}>
          <div className="page-head">
            <div>
              <h2 className="mono">{ep.url}</h2>
              <p className="small">
                Registered {formatDateTime(ep.createdAt)} by {ep.by}
              </p>
              {ep.previousSignsUntil ? (
                <p className="small" data-testid="previous-secret">
                  Secret renewed: the one before also signs deliveries until {formatDateTime(ep.previousSignsUntil)}.
                </p>
              ) : null}
            </div>
            <div className="actions">
              <Form method="post">
                <input type="hidden" name="intent" value="test" />
                <input type="hidden" name="endpointId" value={ep.id} />
                <button className="button button--quiet" type="submit">
                  Send a test event
                </button>
              </Form>
              {/* Anew after each rotation: its tick box is asked again for the next one. */}
              <Form
                method="post"
                className="stack"
                aria-label={`New secret for ${ep.url}`}
                key={`rotate-${String(ep.previousSignsUntil ?? "")}`}
              >
                <input type="hidden" name="intent" value="rotate" />
                <input type="hidden" name="endpointId" value={ep.id} />
                <ConfirmTick
                  ariaLabel={`I understand: a new secret for ${ep.url}; the current one signs for 24 hours more`}
                >
                  I understand: the current secret signs for 24 hours more
                </ConfirmTick>
                <button className="button button--quiet" type="submit" aria-label={`New secret for ${ep.url}`}>
                  New secret
                </button>
              </Form>
              <Form method="post" className="stack" aria-label={`Remove ${ep.url}`}>
                <input type="hidden" name="intent" value="remove" />
                <input type="hidden" name="endpointId" value={ep.id} />
                <ConfirmTick
                  ariaLabel={`I understand: remove ${ep.url} for good, with its secret and pending deliveries`}
                >
                  I understand: for good, with its secret and pending deliveries
                </ConfirmTick>
                <button className="button button--danger" type="submit" aria-label={`Remove ${ep.url}`}>
                  Remove
                </button>
              </Form>
            </div>
          </div>
          {ep.held ? (
            <div className="alert alert--warn" role="status" data-testid="deliveries-held">
              <strong>Deliveries to this endpoint are held.</strong> The server cannot sign them right now: the key it
              keeps webhook secrets under is missing, or is not the one this endpoint's secret was kept under. Nothing
              is sent unsigned and nothing is given up: they go out, in order, once an administrator puts the key back.
              Your watchlist still shows every change.
            </div>
          ) : null}
          {ep.deliveries.length === 0 ? (
            <p className="muted">No deliveries yet.</p>
          ) : (
            <div className="table-wrap">
              <table data-testid="deliveries">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts (response)</th>
                  </tr>
                </thead>
                <tbody>
                  {ep.deliveries.map((d) => (
                    <tr key={d.id}>
                      <td>
                        {d.type} <span className="muted small mono">{d.eventId}</span>
                      </td>
                      <td>
                        <span
                          className={
                            d.status === "delivered"
                              ? "badge badge--ok"
                              : d.status === "failed"
                                ? "badge badge--bad"
                                : "badge badge--warn"
                          }
                        >
                          {d.status}
                        </span>
                        {d.status === "pending" && d.nextAttemptAt ? (
                          <span className="small muted"> next {formatDateTime(d.nextAttemptAt)}</span>
                        ) : null}
                      </td>
                      <td className="small">
                        {d.attempts.map((at) => (
                          <div key={at.id}>
                            #{at.attempt} {formatDateTime(at.at)}: {at.statusCode ?? "no response"}{" "}
                            {at.error ? `(${at.error})` : ""} {at.durationMs} ms
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </>
  );
}
