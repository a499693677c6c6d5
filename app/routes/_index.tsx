import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SealMark } from "../components/AppShell";
import { DASHBOARD_PATH } from "../platform/roles";
import { getOptionalUser } from "../features/accounts/session.server";

export const meta: MetaFunction = () => [
  { title: "IoT Seal — security seals for connected products" },
  {
    name: "description",
    content:
      "Structured security audits of connected products against published standards, and signed seals retailers can verify.",
  },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  return { home: user ? DASHBOARD_PATH[user.role] : null };
}

export default function Landing() {
  const { home } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="hero">
        <div>
          <p className="eyebrow">Security certification for connected products</p>
          <h1>A seal of approval retailers can check, and keep checking.</h1>
          <p className="lead">
            Suppliers of smartwatches, cameras and toys are audited against a published IoT security standard. Approved
            products get a signed seal that anyone can verify without trusting this website — and its status follows
            every vulnerability report, expiry and revocation.
          </p>
          <div className="hero__actions">
            {home ? (
              <Link className="button" to={home}>
                Go to your dashboard
              </Link>
            ) : (
              <>
                <Link className="button" to="/signup">
                  Register your organisation
                </Link>
                <Link className="button button--quiet" to="/login">
                  Log in
                </Link>
              </>
            )}
            <Link className="button button--quiet" to="/verify">
              Verify a seal
            </Link>
          </div>
        </div>
        <div className="card">
          <div className="brand">
            <SealMark size={40} />
            <span>How it works</span>
          </div>
          <ol className="steps">
            <li>
              <strong>Suppliers</strong> answer every requirement of a checklist version (ETSI EN 303 645, IoT Security
              Foundation framework, UK PSTI, EN 18031, EU Cyber Resilience Act Annex I) with evidence.
            </li>
            <li>
              <strong>Assessors</strong> of the certification body score each requirement; a second assessor confirms
              every approval.
            </li>
            <li>
              <strong>A signed seal</strong> is issued: a verifiable credential, a PDF certificate and a public page
              behind its QR code.
            </li>
            <li>
              <strong>Retail buyers</strong> verify seals one at a time or thousands at once, and watch the products
              they stock.
            </li>
          </ol>
        </div>
      </section>
    </>
  );
}
