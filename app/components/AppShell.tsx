import { Form, Link, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import type { NavItem } from "../platform/roles";

export interface ShellUser {
  name: string;
  email: string;
  roleLabel: string;
  organizationName: string;
  nav: NavItem[];
  home: string;
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

export function AppShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <Link to={user ? user.home : "/"} className="brand">
            <SealMark />
            <span>IoT Seal</span>
          </Link>
          {user ? (
            <nav aria-label="Main" className="mainnav">
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
            </nav>
          ) : (
            <nav aria-label="Main" className="mainnav" />
          )}
          <div className="usermenu">
            {user ? (
              <>
                <span className="usermenu__who">
                  <strong>{user.name}</strong>
                  <span>
                    {user.roleLabel} · {user.organizationName}
                  </span>
                </span>
                <Form method="post" action="/logout">
                  <button type="submit" className="button button--quiet">
                    Log out
                  </button>
                </Form>
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
          Foundation Assurance Framework, UK PSTI), signed seals anyone can verify.
        </p>
      </footer>
    </>
  );
}
