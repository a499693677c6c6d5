import type { Role } from "./roles";

/** Who is acting, as every service sees it. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string;
  ip?: string | null;
}

/** Scripts and the start-up seeding act as the system. */
export interface SystemActor {
  system: string; // e.g. "seed", "cli:user:create"
  ip?: null;
}

export type AnyActor = Actor | SystemActor;

export function isSystem(actor: AnyActor): actor is SystemActor {
  return "system" in actor;
}

/** The system actors, in words, for people reading an activity list (the audit log keeps "system:<name>"). */
const SYSTEM_ACTORS: Record<string, string> = {
  seed: "the demo data",
  lifecycle: "the lifecycle sweep",
  startup: "the portal, at start-up",
  "evidence-gc": "the evidence clean-up",
  disclosure: "the disclosure clock",
  bench: "a benchmark",
  "password-upgrade": "the portal, at a login (PASSWORD_HASH_COST raised)",
};

/**
 * Who did something, as an activity list says it: a person by name (`names`: email, lower case, to
 * name), a system actor in words ("the lifecycle sweep"; a command an operator ran: "an operator, on the
 * command line (user:create)"), "someone not logged in" for "anonymous". An email nobody has any more stays as the log
 * wrote it.
 */
export function actorInWords(actorLabel: string, names: ReadonlyMap<string, string>): string {
  if (actorLabel === "anonymous") return "someone not logged in";
  const system = /^system:(.+)$/.exec(actorLabel)?.[1];
  if (system !== undefined) {
    if (system.startsWith("cli:")) return `an operator, on the command line (${system.slice(4)})`;
    return SYSTEM_ACTORS[system] ?? "the portal";
  }
  return names.get(actorLabel.toLowerCase()) ?? actorLabel;
}
