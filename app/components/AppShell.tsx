import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import {
  useEffect,
  useRef,
  type FocusEvent as ReactFocusEvent,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
} from "react";
import type { NavItem } from "../platform/roles";
import { NotificationBell } from "./NotificationBell";
import { useFocusAfterSubmission } from "./focus-after-submission";

export interface ShellUser {
  name: string;
  email: string;
  roleLabel: string;
  organizationName: string;
  nav: NavItem[];
  home: string;
  /** The bell's count (app/components/NotificationBell.tsx). */
  unreadNotifications?: number;
}

/**
 * The phone menu (a <details>, which works without JavaScript) closes like a menu: on Escape, the
 * focus back on its button, and once the focus leaves it, so that it never hides the element that
 * has the focus (WCAG 2.4.11).
 */
function closeOnEscape(e: ReactKeyboardEvent<HTMLDetailsElement>) {
  if (e.key !== "Escape" || !e.currentTarget.open) return;
  e.currentTarget.open = false;
  e.currentTarget.querySelector("summary")?.focus();
}
function closeWhenFocusLeaves(e: ReactFocusEvent<HTMLDetailsElement>) {
  const next = e.relatedTarget as Node | null;
  if (next && !e.currentTarget.contains(next)) e.currentTarget.open = false;
}

export function SealMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" className="seal-mark">
      <circle cx="32" cy="32" r="30" fill="#0b4f6c" />
      <circle cx="32" cy="32" r="23" fill="none" stroke="#9fd8cb" strokeWidth="3" strokeDasharray="4 3" />
      <path
        d="M21 33.5l7.5 7.5L44 25"
        fill="none"
        stroke="#ffffff"
        strokeWidth="6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/**
 * After a client-side navigation to another page, the focus goes to the new page's main heading (made focusable with
 * tabIndex -1), so a screen reader announces it and the keyboard starts from the top of the content, instead of the
 * focus being lost on <body>. A page that puts the focus somewhere itself (autoFocus, e.g. "Pass" on a review page)
 * keeps it; a change of the query alone (filters, paging) or of the #fragment moves nothing.
 */
function useFocusHeadingOnNavigation() {
  const { pathname, hash } = useLocation();
  const seen = useRef<{ pathname: string; focused: Element | null } | null>(null);
  // What had the focus when this page began to render: anything else focused after it is the page's own choice.
  if (typeof document !== "undefined" && seen.current?.pathname !== pathname) {
    seen.current = { pathname, focused: seen.current ? document.activeElement : null };
  }
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false; // a full page load: the browser starts at the top
      return;
    }
    if (hash) return;
    const main = document.getElementById("main");
    const active = document.activeElement;
    if (main && active && active !== document.body && active !== seen.current?.focused && main.contains(active)) return;
    const heading = main?.querySelector("h1");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }, [pathname, hash]);
}

function NavLinks({ user }: { user: ShellUser }) {
  return (
    <>
      {user.nav.map((item) => (
        <NavLink
          key={item.to}
          to={item.to}
          end={item.to === user.home}
          className={({ isActive }) => (isActive ? "active" : undefined)}
        >
          {item.label}
        </NavLink>
      ))}
    </>
  );
}

function LogOut() {
  return (
    <Form method="post" action="/logout">
      <button type="submit" className="button button--quiet">
        Log out
      </button>
    </Form>
  );
}

export function AppShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  useFocusHeadingOnNavigation();
  useFocusAfterSubmission();
  const { pathname } = useLocation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className={user ? "topbar__inner" : "topbar__inner topbar__inner--public"}>
          <Link to={user ? user.home : "/"} className="brand">
            <SealMark />
            <span>IoT Seal</span>
          </Link>
          {user ? (
            <>
              {/* Wide screens: the links in a row. Phones: the same links folded into a menu (CSS shows one of the two). */}
              <nav aria-label="Main" className="mainnav">
                <NavLinks user={user} />
              </nav>
              <nav aria-label="Main" className="navmenu">
                {/* Closed again after each navigation (a new key per page), as a menu should be. */}
                <details key={pathname} onKeyDown={closeOnEscape} onBlur={closeWhenFocusLeaves}>
                  <summary>Menu</summary>
                  <div className="navmenu__links">
                    <NavLinks user={user} />
                    {/* On a phone the name (the link to the account page) and Log out are not in the bar (it must fit
                        320 px: WCAG 1.4.10): the menu has them. */}
                    <NavLink to="/account" className={({ isActive }) => (isActive ? "active" : undefined)}>
                      Your account
                    </NavLink>
                    <LogOut />
                  </div>
                </details>
              </nav>
            </>
          ) : (
            // Anyone may check a seal (a shopper with a box, a buyer without an account), on a phone too.
            <nav aria-label="Main" className="mainnav mainnav--public">
              <NavLink to="/verify" className={({ isActive }) => (isActive ? "active" : undefined)}>
                Verify a seal
              </NavLink>
            </nav>
          )}
          <div className="usermenu">
            {user ? (
              <>
                <NotificationBell unread={user.unreadNotifications ?? 0} />
                <Link
                  to="/account"
                  className="usermenu__who"
                  title={`${user.name}, ${user.roleLabel} · ${user.organizationName}. Your account: password and settings`}
                >
                  <strong>{user.name}</strong>
                  <span>
                    {user.roleLabel} · {user.organizationName}
                  </span>
                </Link>
                <div className="usermenu__logout">
                  <LogOut />
                </div>
              </>
            ) : (
              <>
                <Link to="/login" className="button button--quiet">
                  Log in
                </Link>
                <Link to="/signup" className="button">
                  Sign up
                </Link>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="page">
        {children}
      </main>
      <footer className="footer">
        <p>
          IoT Seal — structured security audits against published IoT standards (ETSI EN 303 645, IoT Security
          Foundation Assurance Framework, UK PSTI, EN 18031, the EU Cyber Resilience Act), signed seals anyone can
          verify.
        </p>
      </footer>
    </>
  );
}
