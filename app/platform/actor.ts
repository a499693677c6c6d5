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
