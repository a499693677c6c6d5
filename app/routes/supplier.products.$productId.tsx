import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormError, Notice } from "../components/Field";
import { ProductFields } from "../components/ProductFields";
import { StatusBadge } from "../components/StatusBadge";
import { VerdictBadge } from "../components/SealVerdict";
import { PRODUCT_CATEGORY_LABELS, type ProductCategory } from "../features/catalogue/domain/product";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { formatDate } from "../platform/format";
import { formValues, parseForm } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import { addProductVersion, getProduct, productInput, updateProduct } from "../features/catalogue/products.server";
import { productEditVersion, productVersionInput } from "../features/catalogue/forms";
import { durationFormValue } from "../platform/calendar";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { recertificationChoices, startRecertification } from "../features/certification/recertification.server";
import { recertificationInput } from "../features/certification/forms";
import { Recertify } from "../components/Recertify";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.product.name ?? "Product"} — IoT Seal` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  return serviceOrThrow(() => ({
    ...getProduct(user, params.productId ?? ""),
    recertify: recertificationChoices(user, params.productId ?? ""),
  }));
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const form = await readForm(request);
  const intent = form.get("intent");
  const refused = unknownIntent(intent, ["recertify", "add-version", "edit"]);
  if (refused) return refused;
  if (intent === "recertify") {
    const parsed = parseForm(recertificationInput, form);
    if (!parsed.ok)
      return failure("Check the highlighted fields.", parsed.fieldErrors, { ...parsed.values, intent: "recertify" });
    // Refused: the form shows what was sent (the change summary typed, the seal chosen) again.
    const r = await attempt(() => startRecertification(user, parsed.data), {
      ...formValues(form),
      intent: "recertify",
      productVersionId: parsed.data.productVersionId,
    });
    if (!r.ok) return r.response;
    throw redirect(`/supplier/submissions/${r.value}`);
  }
  if (intent === "add-version") {
    const parsed = parseForm(productVersionInput, form);
    if (!parsed.ok)
      return failure("Check the highlighted fields.", parsed.fieldErrors, { ...parsed.values, intent: "add-version" });
    // Refused: the form shows what was typed again (also without JavaScript).
    const r = await attempt(() => addProductVersion(user, params.productId ?? "", parsed.data), {
      ...formValues(form),
      intent: "add-version",
    });
    return r.ok
      ? {
          ok: true as const,
          notice: `Added hardware ${parsed.data.hardwareRevision}, firmware ${parsed.data.firmwareVersion}.`,
          addedVersionId: r.value,
        }
      : r.response;
  }
  const version = parseForm(productEditVersion, form);
  if (!version.ok) return failure(version.fieldErrors.updatedAt, {}, { ...version.values, intent: "edit" });
  const parsed = parseForm(productInput, form);
  if (!parsed.ok)
    return failure("Check the highlighted fields.", parsed.fieldErrors, { ...parsed.values, intent: "edit" });
  const r = await attempt(() => updateProduct(user, params.productId ?? "", parsed.data, version.data), {
    ...formValues(form),
    intent: "edit",
  });
  return r.ok ? { ok: true as const, notice: "Product details saved." } : r.response;
}

/** A stored expected use time as the form's number and unit. */
function expectedUseValues(months: number | null) {
  const { amount, unit } = durationFormValue(months);
  return { expectedUseTime: amount, expectedUseUnit: unit };
}

export default function ProductPage() {
  const { product, supportShortfall, versions, submissions, recertify } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const failed = a && !a.ok ? a : undefined;
  const on = (intent: string) => (failed?.values?.intent === intent ? failed : undefined);
  return (
    <>
      <p className="small">
        <Link to="/supplier/products">Products</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">{PRODUCT_CATEGORY_LABELS[product.category as ProductCategory] ?? product.category}</p>
          <h1>{product.name}</h1>
          <p>
            Model {product.model}
            {product.gtin ? ` · GTIN ${product.gtin}` : ""}
            {product.sku ? ` · SKU ${product.sku}` : ""} · security support until {formatDate(product.supportPeriodEnd)}
          </p>
          {supportShortfall ? (
            <p className="alert alert--warn" data-testid="support-shortfall">
              {supportShortfall} Edit the support period below: a later end date, or the expected use time and its
              reason.
            </p>
          ) : null}
        </div>
      </div>
      {params.get("created") ? (
        <p className="alert alert--ok" role="status">
          Product registered. Add the hardware revision and firmware version you want certified.
        </p>
      ) : null}
      <Notice message={a?.ok ? a.notice : undefined} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="versions-title">
          <h2 id="versions-title">Versions</h2>
          {versions.length === 0 ? <p className="muted">No version yet.</p> : null}
          <ul className="timeline">
            {versions.map((v) => (
              <li key={v.id}>
                <span>
                  <strong>Hardware {v.hardwareRevision}</strong> · firmware {v.firmwareVersion}
                  {v.appVersion ? ` · app ${v.appVersion}` : ""}
                </span>
                <Link
                  className="button button--quiet button--small"
                  to={`/supplier/submissions/new?productVersion=${v.id}`}
                >
                  Open a submission
                </Link>
                {recertify[v.id] ? (
                  <Recertify
                    versionId={v.id}
                    firmware={v.firmwareVersion}
                    seals={recertify[v.id]}
                    busy={busy}
                    failed={
                      failed?.values?.intent === "recertify" && failed.values.productVersionId === v.id
                        ? failed
                        : undefined
                    }
                  />
                ) : null}
              </li>
            ))}
          </ul>
          <h3>Add a version</h3>
          <FormError message={on("add-version")?.formError} />
          {/* Keyed by the version just added: after a success the form starts empty again (with JavaScript the
              browser would keep what was typed, and adding it again would be refused as already registered). */}
          <Form method="post" noValidate key={a?.ok && "addedVersionId" in a ? a.addedVersionId : "new"}>
            <input type="hidden" name="intent" value="add-version" />
            <div className="form-row">
              <Field
                label="Hardware revision"
                name="hardwareRevision"
                required
                error={on("add-version")?.fieldErrors.hardwareRevision}
                defaultValue={on("add-version")?.values?.hardwareRevision}
              />
              <Field
                label="Firmware version"
                name="firmwareVersion"
                required
                error={on("add-version")?.fieldErrors.firmwareVersion}
                defaultValue={on("add-version")?.values?.firmwareVersion}
              />
              <Field
                label="Companion app version (optional)"
                name="appVersion"
                error={on("add-version")?.fieldErrors.appVersion}
                defaultValue={on("add-version")?.values?.appVersion}
              />
            </div>
            <SubmitButton className="button" busy={busy}>
              Add version
            </SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="subs-title">
          <h2 id="subs-title">Submissions</h2>
          {submissions.length === 0 ? <p className="muted">None yet.</p> : null}
          <ul className="timeline">
            {submissions.map((s) => (
              <li key={s.id}>
                <Link to={`/supplier/submissions/${s.id}`}>
                  firmware {s.firmwareVersion} · {s.checklistLabel}, level {s.levelTitle}
                </Link>
                <StatusBadge status={s.status} />
                {s.sealSerial && s.sealVerdict ? (
                  <span className="small">
                    Seal{" "}
                    <Link to={`/s/${s.sealSerial}`} className="mono">
                      {s.sealSerial}
                    </Link>{" "}
                    <VerdictBadge verdict={s.sealVerdict} />{" "}
                    <a href={`/s/${s.sealSerial}/seal.pdf`} download>
                      certificate (PDF)
                    </a>{" "}
                    {s.recurring && (s.sealVerdict === "valid" || s.sealVerdict === "suspended") ? (
                      <Link to={`/supplier/seals/${s.sealSerial}/recurring`}>recurring evidence</Link>
                    ) : null}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="edit-title">
        <h2 id="edit-title">Product details</h2>
        <FormError message={on("edit")?.formError} />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="edit" />
          {/* The version edited (always the loader's: after a refused stale save, saving again is deliberate). */}
          <input type="hidden" name="updatedAt" value={new Date(product.updatedAt).getTime()} />
          <ProductFields
            values={on("edit")?.values ?? { ...product, ...expectedUseValues(product.expectedUseMonths) }}
            errors={on("edit")?.fieldErrors}
          />
          <SubmitButton className="button" busy={busy}>
            Save details
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
