import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "../components/Field";
import { ProductFields } from "../components/ProductFields";
import { PRODUCT_CATEGORY_LABELS, type ProductCategory } from "../features/catalogue/domain/product";
import { attempt, failure } from "../platform/http/action-errors.server";
import { formatDate } from "../platform/format";
import { formValues, parseForm } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import { createProduct, listProducts, productInput } from "../features/catalogue/products.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Products — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  return { products: listProducts(user) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const form = await readForm(request);
  const parsed = parseForm(productInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const r = await attempt(() => createProduct(user, parsed.data), formValues(form));
  if (!r.ok) return r.response;
  return redirect(`/supplier/products/${r.value}?created=1`);
}

export default function Products() {
  const { products } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Supplier workspace</p>
          <h1>Products</h1>
          <p>Each product has versions (hardware revision and firmware); a submission certifies one version.</p>
        </div>
        <a className="button" href="#new-product">
          Register a product
        </a>
      </div>
      <section className="card">
        {products.length === 0 ? (
          <p className="muted">No product registered yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Product</th>
                  <th>Category</th>
                  <th>GTIN / SKU</th>
                  <th className="num">Versions</th>
                  <th>Support ends</th>
                </tr>
              </thead>
              <tbody>
                {products.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/supplier/products/${p.id}`}>{p.name}</Link>
                      <div className="small muted">{p.model}</div>
                    </td>
                    <td>{PRODUCT_CATEGORY_LABELS[p.category as ProductCategory] ?? p.category}</td>
                    <td className="small mono">{[p.gtin, p.sku].filter(Boolean).join(" / ") || "—"}</td>
                    <td className="num">{p.versionCount}</td>
                    <td>
                      {formatDate(p.supportPeriodEnd)}
                      {p.supportShortfall ? <div className="small warn-text">{p.supportShortfall}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" id="new-product" aria-labelledby="new-product-title">
        <h2 id="new-product-title">Register a product</h2>
        <FormError message={a?.formError} />
        <Form method="post" noValidate>
          <ProductFields values={a?.values} errors={a?.fieldErrors} creating />
          <SubmitButton className="button" busy={busy}>
            Register product
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
