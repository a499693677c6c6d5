import { notFound } from "../features/accounts/session.server";

/** Any address no other route matches: the root error boundary shows a proper 404 page. */
export async function loader() {
  notFound();
}

export async function action() {
  notFound();
}

export default function NotFound() {
  return null;
}
